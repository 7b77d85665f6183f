import type { Channel } from 'amqplib';

/** Names of DESIGN §2.2: the message topology is part of the contract between services. */
export const topology = {
  studentsExchange: 'students.events',
  studentsDeadLetterExchange: 'students.dlx',
  workerQueue: 'worker.students',
  workerDeadLetterQueue: 'worker.students.dlq',
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

/** The names the worker declares and uses; injectable so tests never share the fixed ones. */
export interface WorkerTopologyNames {
  studentsExchange: string;
  studentsDeadLetterExchange: string;
  workerQueue: string;
  workerDeadLetterQueue: string;
  notificationsExchange: string;
}

/** DESIGN §2.2 names, or the same names under `<prefix>.` (tests: one unique prefix per file). */
export function workerTopologyNames(prefix = ''): WorkerTopologyNames {
  const p = (name: string) => (prefix ? `${prefix}.${name}` : name);
  return {
    studentsExchange: p(topology.studentsExchange),
    studentsDeadLetterExchange: p(topology.studentsDeadLetterExchange),
    workerQueue: p(topology.workerQueue),
    workerDeadLetterQueue: p(topology.workerDeadLetterQueue),
    notificationsExchange: p(topology.notificationsExchange),
  };
}

/**
 * The delay queue for one retry delay: `worker.students.retry.<ms>ms`. Named by its delay because
 * RabbitMQ refuses to redeclare a queue with a different `x-message-ttl`.
 */
export const workerRetryQueueName = (names: WorkerTopologyNames, delayMs: number): string =>
  `${names.workerQueue}.retry.${delayMs}ms`;

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
