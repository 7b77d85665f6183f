import amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { defaultUrls } from '../../contracts/default-urls.ts';

// What `npm run infra` promises: the three servers answer on the default URLs (or the env overrides).
describe('local infrastructure', () => {
  it('answers on PostgreSQL with the project database and user', async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? defaultUrls.database });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; user: string; version: string }>(
        'select current_database() as db, current_user as user, version() as version',
      );
      expect(rows[0]).toMatchObject({ db: 'lab', user: 'lab' });
      expect(rows[0]!.version).toMatch(/^PostgreSQL/);
    } finally {
      await client.end();
    }
  });

  it('answers on RabbitMQ and confirms a published message', async () => {
    const connection = await amqp.connect(process.env.AMQP_URL ?? defaultUrls.amqp);
    try {
      const channel = await connection.createConfirmChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      channel.sendToQueue(queue, Buffer.from('ping'));
      await channel.waitForConfirms();
      const message = await channel.get(queue, { noAck: true });
      expect(message && message.content.toString()).toBe('ping');
      expect(connection.connection.serverProperties.product).toBe('RabbitMQ');
    } finally {
      await connection.close();
    }
  });

  it('answers on Redis', async () => {
    const redis = new Redis(process.env.REDIS_URL ?? defaultUrls.redis, { lazyConnect: true });
    await redis.connect();
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.info('server')).toMatch(/redis_version:/);
    } finally {
      redis.disconnect();
    }
  });
});
