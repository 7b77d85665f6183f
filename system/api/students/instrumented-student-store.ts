import type { Counter } from 'prom-client';
import type { StudentStore } from './student-store.ts';

const operations = ['create', 'get', 'list', 'update', 'delete', 'ping'] as const;

/**
 * Counts every store call that reaches the database in `db_queries_total{operation}`; the burst
 * scenarios read backend reads per wave from it. Labels are bound once, so counting costs nothing.
 */
export function instrumentStudentStore(store: StudentStore, counter: Counter<'operation'>): StudentStore {
  const counted = { ...store };
  for (const operation of operations) {
    const child = counter.labels({ operation });
    const original = (store[operation] as (...args: unknown[]) => Promise<unknown>).bind(store);
    (counted as Record<string, unknown>)[operation] = (...args: unknown[]) => {
      child.inc();
      return original(...args);
    };
  }
  return counted;
}
