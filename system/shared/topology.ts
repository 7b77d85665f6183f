import type { Channel } from 'amqplib';
import {
  topology,
  workerRetryQueueName,
  workerTopologyNames,
  type WorkerTopologyNames,
} from '../../contracts/topology.ts';

/** Declares the exchanges every producer needs; idempotent. */
export async function assertExchanges(channel: Channel): Promise<void> {
  await channel.assertExchange(topology.studentsExchange, 'topic', { durable: true });
  await channel.assertExchange(topology.notificationsExchange, 'topic', { durable: true });
}

export interface WorkerTopologyOptions {
  names?: WorkerTopologyNames;
  /** One delay queue per distinct delay, in milliseconds. */
  retryDelaysMs?: readonly number[];
}

/**
 * The worker's queues: main queue dead-letters to `students.dlx` → `worker.students.dlq`. Retries
 * wait in one delay queue per delay: every message of a queue has the same queue-level TTL, so none
 * waits behind a longer one (RabbitMQ only expires messages at the head of a queue), and on expiry
 * the message dead-letters back to the main queue through the default exchange (no hot requeue loop).
 */
export async function assertWorkerTopology(
  channel: Channel,
  { names = workerTopologyNames(), retryDelaysMs = [] }: WorkerTopologyOptions = {},
): Promise<void> {
  await channel.assertExchange(names.studentsExchange, 'topic', { durable: true });
  await channel.assertExchange(names.notificationsExchange, 'topic', { durable: true });
  await channel.assertExchange(names.studentsDeadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(names.workerDeadLetterQueue, { durable: true });
  await channel.bindQueue(names.workerDeadLetterQueue, names.studentsDeadLetterExchange, '');
  await channel.assertQueue(names.workerQueue, {
    durable: true,
    deadLetterExchange: names.studentsDeadLetterExchange,
  });
  await channel.bindQueue(names.workerQueue, names.studentsExchange, topology.bindingKey);
  for (const delayMs of new Set(retryDelaysMs)) {
    await channel.assertQueue(workerRetryQueueName(names, delayMs), {
      durable: true,
      messageTtl: delayMs,
      deadLetterExchange: '',
      deadLetterRoutingKey: names.workerQueue,
    });
  }
}

/**
 * Milliseconds an instance's notifications queue outlives its last consumer. Not exclusive or
 * auto-deleted: those vanish with the connection, so a broker cut would drop every notification
 * published until the instance reconnects. With `x-expires` the queue keeps them through an outage
 * and is still removed once its instance is gone for good.
 */
export const notificationsQueueExpiresMs = 120_000;

/** A notifications instance's own queue, bound `student.*` on `exchange`, plus the shared DLQ. */
export async function assertNotificationsTopology(
  channel: Channel,
  queueName: string,
  exchange: string = topology.notificationsExchange,
  expiresMs: number = notificationsQueueExpiresMs,
): Promise<void> {
  await assertExchanges(channel);
  if (exchange !== topology.notificationsExchange)
    await channel.assertExchange(exchange, 'topic', { durable: true });
  await channel.assertExchange(topology.notificationsDeadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(topology.notificationsDeadLetterQueue, { durable: true });
  await channel.bindQueue(
    topology.notificationsDeadLetterQueue,
    topology.notificationsDeadLetterExchange,
    '',
  );
  await channel.assertQueue(queueName, {
    durable: true,
    expires: expiresMs,
    deadLetterExchange: topology.notificationsDeadLetterExchange,
  });
  await channel.bindQueue(queueName, exchange, topology.bindingKey);
}
