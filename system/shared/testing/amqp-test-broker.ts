import { randomBytes } from 'node:crypto';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { defaultUrls } from '../../../contracts/default-urls.ts';

/** The shared test broker (`npm run infra`); AMQP_URL overrides. Test-only. */
export const testAmqpUrl = process.env.AMQP_URL ?? defaultUrls.amqp;

/** Host and port of {@link testAmqpUrl}, for a TCP gate in front of it. */
export const testAmqpTarget = (): { host: string; port: number } => {
  const url = new URL(testAmqpUrl);
  return { host: url.hostname, port: Number(url.port || 5672) };
};

/** The same URL, pointed at a local port (a TCP gate). */
export const amqpUrlViaPort = (port: number): string => {
  const url = new URL(testAmqpUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
};

export interface AmqpTestAdmin {
  /** A plain channel straight to the broker (never through a gate). */
  channel: Channel;
  /** `<prefix>.<random>`, remembered for deletion. */
  exchangeName(prefix: string): string;
  queueName(prefix: string): string;
  /** Counts ready messages on a queue. */
  messageCount(queue: string): Promise<number>;
  /** Deletes every exchange and queue named here, then closes. Idempotent. */
  close(): Promise<void>;
}

/** Unique names per test file so engineers sharing the broker never collide. */
export async function createAmqpTestAdmin(): Promise<AmqpTestAdmin> {
  const model: ChannelModel = await connect(testAmqpUrl);
  model.on('error', () => undefined);
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  const names = new Set<{ kind: 'exchange' | 'queue'; name: string }>();
  const unique = (kind: 'exchange' | 'queue', prefix: string) => {
    const name = `test.${prefix}.${randomBytes(4).toString('hex')}`;
    names.add({ kind, name });
    return name;
  };
  let closing: Promise<void> | undefined;

  return {
    channel,
    exchangeName: (prefix) => unique('exchange', prefix),
    queueName: (prefix) => unique('queue', prefix),
    messageCount: async (queue) => (await channel.checkQueue(queue)).messageCount,
    close: () =>
      (closing ??= (async () => {
        // A fresh channel per deletion: a failed one closes its channel.
        for (const { kind, name } of names) {
          const ch = await model.createChannel();
          ch.on('error', () => undefined);
          await (kind === 'queue' ? ch.deleteQueue(name) : ch.deleteExchange(name)).catch(() => undefined);
          await ch.close().catch(() => undefined);
        }
        await model.close().catch(() => undefined);
      })()),
  };
}
