/** Exchange, queue and routing names: the message topology is the contract between the services. */
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

/** The names the worker declares and uses; injectable so tests never share the fixed ones. */
export interface WorkerTopologyNames {
  studentsExchange: string;
  studentsDeadLetterExchange: string;
  workerQueue: string;
  workerDeadLetterQueue: string;
  notificationsExchange: string;
}

/** The fixed names, or the same names under `<prefix>.` (tests: one unique prefix per file). */
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
