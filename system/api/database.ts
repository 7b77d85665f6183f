import { connectDatabase, type DatabaseConnectOptions } from '../shared/database-connect.ts';
import { createMssqlOutboxStore } from '../shared/outbox/mssql-outbox-store.ts';
import type { OutboxStore } from '../shared/outbox/outbox-store.ts';
import { createPostgresOutboxStore } from '../shared/outbox/postgres-outbox-store.ts';
import { createMssqlStudentStore } from './students/mssql-student-store.ts';
import { createPostgresStudentStore } from './students/postgres-student-store.ts';
import type { StudentStore } from './students/student-store.ts';
import { retentionRule, type RetentionRule } from '../shared/retention.ts';

export interface ApiDatabase {
  store: StudentStore;
  outbox: OutboxStore;
  /** What the API may delete once old: its published outbox rows, expired idempotency keys. */
  retentionRules(limits: { outboxSec: number; idempotencySec: number }): RetentionRule[];
}

const apiRetention =
  (pool: Parameters<typeof retentionRule>[0]) =>
  (limits: { outboxSec: number; idempotencySec: number }): RetentionRule[] => [
    retentionRule(pool, { kind: 'outbox', producer: 'api' }, limits.outboxSec),
    retentionRule(pool, { kind: 'idempotencyKeys' }, limits.idempotencySec),
  ];

/** The API's adapters on the database the URL names (connectDatabase picks the technology). */
export function connectApiDatabase(options: DatabaseConnectOptions): Promise<ApiDatabase> {
  return connectDatabase(options, {
    postgres: (pool) => ({
      store: createPostgresStudentStore(pool),
      outbox: createPostgresOutboxStore(pool),
      retentionRules: apiRetention(pool),
    }),
    mssql: (pool) => ({
      store: createMssqlStudentStore(pool),
      outbox: createMssqlOutboxStore(pool),
      retentionRules: apiRetention(pool),
    }),
  });
}
