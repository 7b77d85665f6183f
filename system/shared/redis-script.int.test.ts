import { randomBytes } from 'node:crypto';
import { Redis, type Command } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { redisScript } from './redis-script.ts';

const redisUrl = process.env.REDIS_URL ?? defaultUrls.redis;

describe('Lua scripts by SHA1', () => {
  let redis: Redis;
  const sent: string[] = [];
  // A script of its own (a unique comment), so flushing it from the cache disturbs nobody else.
  const lua = `-- ${randomBytes(8).toString('hex')}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
  const key = `test:redis-script:${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    await redis.ping();
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command: Command, ...rest) => {
      sent.push(command.name);
      return send(command, ...rest);
    };
  });
  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('sends the script text once, when Redis does not hold it, then only its SHA1', async () => {
    const incr = redisScript(lua);
    expect(await incr(redis, [key], [2])).toBe(2);
    expect(await incr(redis, [key], [3])).toBe(5);
    expect(sent).toEqual(['evalsha', 'eval', 'evalsha']);
  });

  it('passes errors other than a missing script through', async () => {
    const failing = redisScript(`return redis.error_reply('broken on purpose')`);
    await expect(failing(redis, [], [])).rejects.toThrow('broken on purpose');
  });
});
