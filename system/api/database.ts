import mssql from 'mssql';

import { dialectOf } from '../shared/migrate.ts';
import { createMssqlOutboxStore } from '../shared/outbox/mssql-outbox-store.ts';
import type { OutboxStore } from '../shared/outbox/outbox-store.ts';
import { createPostgresOutboxStore } from '../shared/outbox/postgres-outbox-store.ts';
import { createMssqlStudentStore } from './students/mssql-student-store.ts';
import { createPostgresStudentStore } from './students/postgres-student-store.ts';
import type { StudentStore } from './students/student-store.ts';
import { createPostgresPool, postgresPoolConfig } from '../shared/postgres-pool.ts';
import { retentionRule, type RetentionRule } from '../shared/retention.ts';

export interface Database {
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

/** Picks the adapters from the URL: `postgres://` (local default) or `mssql://` (Docker, like the seed). */
export async function connectDatabase(url: string, poolSize: number, timeoutMs: number): Promise<Database> {
  if (dialectOf(url) === 'postgres') {
    const pool = createPostgresPool(postgresPoolConfig({ url, max: poolSize, timeoutMs }));
    return {
      store: createPostgresStudentStore(pool),
      outbox: createPostgresOutboxStore(pool),
      retentionRules: apiRetention(pool),
    };
  }
  const pool = await new mssql.ConnectionPool(url).connect();
  pool.on('error', () => undefined);
  return {
    store: createMssqlStudentStore(pool),
    outbox: createMssqlOutboxStore(pool),
    retentionRules: apiRetention(pool),
  };
}
