import type { Channel } from 'amqplib';

/** Names of DESIGN §2.2: the message topology is part of the contract between services. */
export const topology = {
  studentsExchange: 'students.events',
  studentsDeadLetterExchange: 'students.dlx',
  workerQueue: 'worker.students',
  workerDeadLetterQueue: 'worker.students.dlq',
  /** Delay queue the worker parks a failed message in before it retries (TTL dead-letters back). */
  workerRetryQueue: 'worker.students.retry',
  workerRetryExchange: 'worker.students.retry',
  notificationsExchange: 'notifications',
  /** Notifications instances dead-letter malformed messages here. */
  notificationsDeadLetterExchange: 'notifications.dlx',
  notificationsDeadLetterQueue: 'notifications.dlq',
  bindingKey: 'student.*',
} as const;

/** Declares the exchanges every producer needs; idempotent. */
export async function assertExchanges(channel: Channel): Promise<void> {
  await channel.assertExchange(topology.studentsExchange, 'topic', { durable: true });
  await channel.assertExchange(topology.notificationsExchange, 'topic', { durable: true });
}

/**
 * The worker's queues: main queue dead-letters to `students.dlx` → `worker.students.dlq`; retries
 * wait in a TTL'd delay queue that dead-letters back to the main queue (no hot requeue loop).
 */
export async function assertWorkerTopology(channel: Channel): Promise<void> {
  await assertExchanges(channel);
  await channel.assertExchange(topology.studentsDeadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(topology.workerDeadLetterQueue, { durable: true });
  await channel.bindQueue(topology.workerDeadLetterQueue, topology.studentsDeadLetterExchange, '');
  await channel.assertQueue(topology.workerQueue, {
    durable: true,
    deadLetterExchange: topology.studentsDeadLetterExchange,
  });
  await channel.bindQueue(topology.workerQueue, topology.studentsExchange, topology.bindingKey);
  await channel.assertExchange(topology.workerRetryExchange, 'fanout', { durable: true });
  await channel.assertQueue(topology.workerRetryQueue, {
    durable: true,
    deadLetterExchange: '',
    deadLetterRoutingKey: topology.workerQueue,
  });
  await channel.bindQueue(topology.workerRetryQueue, topology.workerRetryExchange, '');
}

/** A notifications instance's own exclusive queue, bound `student.*`, plus the shared DLQ. */
export async function assertNotificationsTopology(channel: Channel, queueName: string): Promise<void> {
  await assertExchanges(channel);
  await channel.assertExchange(topology.notificationsDeadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(topology.notificationsDeadLetterQueue, { durable: true });
  await channel.bindQueue(
    topology.notificationsDeadLetterQueue,
    topology.notificationsDeadLetterExchange,
    '',
  );
  await channel.assertQueue(queueName, {
    exclusive: true,
    autoDelete: true,
    deadLetterExchange: topology.notificationsDeadLetterExchange,
  });
  await channel.bindQueue(queueName, topology.notificationsExchange, topology.bindingKey);
}
