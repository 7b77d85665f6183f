import type { Student } from '../../../contracts/envelope.ts';
import type { OutboxMessage, WorkerStore } from '../worker-store.ts';

export interface InMemoryWorkerStore extends WorkerStore {
  students: Map<string, Student>;
  stages: Map<string, 'effect_committed' | 'done'>;
  outbox: OutboxMessage[];
}

/** Test-only fake with the adapters' semantics (each method is one atomic step). */
export function createInMemoryWorkerStore(seed: Student[] = []): InMemoryWorkerStore {
  const students = new Map(seed.map((s) => [s.id, { ...s }]));
  const stages = new Map<string, 'effect_committed' | 'done'>();
  const outbox: OutboxMessage[] = [];
  return {
    students,
    stages,
    outbox,
    applyUpdate(input) {
      const stage = stages.get(input.messageId);
      if (stage === 'done') return Promise.resolve({ outcome: 'duplicate' });
      if (stage) return Promise.resolve({ outcome: 'resume', student: students.get(input.studentId) });
      const current = students.get(input.studentId);
      if (!current) {
        stages.set(input.messageId, 'done');
        return Promise.resolve({ outcome: 'not_found' });
      }
      const student = { ...current, updates: current.updates + 1, lastModifiedBy: 'worker' };
      const notifications = input.notificationsFor(student);
      students.set(student.id, student);
      stages.set(input.messageId, 'effect_committed');
      outbox.push(...notifications);
      return Promise.resolve({ outcome: 'applied', student });
    },
    completeMessage(input) {
      if (stages.get(input.messageId) !== 'effect_committed') return Promise.resolve(false);
      stages.set(input.messageId, 'done');
      outbox.push(...input.notifications);
      return Promise.resolve(true);
    },
    recordMessage(input) {
      if (stages.has(input.messageId)) return Promise.resolve(false);
      stages.set(input.messageId, 'done');
      outbox.push(...input.notifications);
      return Promise.resolve(true);
    },
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
