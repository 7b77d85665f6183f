import { connect, type Channel, type ChannelModel } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { defaultUrls } from '../../../contracts/default-urls.ts';
import type { Envelope } from '../../../contracts/envelope.ts';
import { topology } from '../../../contracts/topology.ts';

export interface EventTap {
  /** Every envelope received so far, in arrival order. */
  received: Envelope[];
  /** Envelopes about one student id. */
  about(studentId: string): Envelope[];
  close(): Promise<void>;
}

/**
 * A uniquely named exclusive queue bound to `students.events` (`student.*`), consumed by the test:
 * never competes with the worker's `worker.students` queue. Test-only.
 */
export async function createEventTap(): Promise<EventTap> {
  const model: ChannelModel = await connect(process.env.AMQP_URL ?? defaultUrls.amqp);
  model.on('error', () => undefined);
  const channel: Channel = await model.createChannel();
  await channel.assertExchange(topology.studentsExchange, 'topic', { durable: true });
  const queue = `test.api-tap.${randomBytes(4).toString('hex')}`;
  await channel.assertQueue(queue, { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, topology.studentsExchange, topology.bindingKey);
  const received: Envelope[] = [];
  await channel.consume(queue, (m) => m && received.push(JSON.parse(m.content.toString()) as Envelope), {
    noAck: true,
  });
  return {
    received,
    about: (id) => received.filter((e) => e.payload.id === id),
    close: async () => {
      await channel.deleteQueue(queue).catch(() => undefined);
      await model.close().catch(() => undefined);
    },
  };
}
