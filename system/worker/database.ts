import type { CauseCounter } from '../shared/cost-attribution.ts';
import { connectDatabase } from '../shared/database-connect.ts';
import { createMssqlOutboxStore } from '../shared/outbox/mssql-outbox-store.ts';
import type { OutboxStore } from '../shared/outbox/outbox-store.ts';
import { createPostgresOutboxStore } from '../shared/outbox/postgres-outbox-store.ts';
import type { ResiliencePolicy } from '../shared/resilience-policy.ts';
import { retentionRule, type RetentionRule } from '../shared/retention.ts';
import type { WorkerConfig } from './config.ts';
import { createMssqlWorkerStore } from './mssql-worker-store.ts';
import { createPostgresWorkerStore } from './postgres-worker-store.ts';
import type { WorkerMetrics } from './worker-metrics.ts';
import { workerProducer, type WorkerStore } from './worker-store.ts';

export interface WorkerDatabase {
  store: WorkerStore;
  outbox: OutboxStore;
  /** What the worker may delete once old: its published outbox rows, finished message ids. */
  retention: RetentionRule[];
}

/** The worker's adapters on the database the URL names (connectDatabase picks the technology). */
export function connectWorkerDatabase(
  config: WorkerConfig,
  policy: ResiliencePolicy,
  metrics: WorkerMetrics,
  statements?: CauseCounter,
): Promise<WorkerDatabase> {
  const retention = (pool: Parameters<typeof retentionRule>[0]): RetentionRule[] => [
    retentionRule(pool, { kind: 'outbox', producer: workerProducer }, config.RETENTION_OUTBOX_SEC),
    retentionRule(pool, { kind: 'processedMessages' }, config.RETENTION_PROCESSED_SEC),
  ];
  return connectDatabase(
    {
      url: config.DATABASE_URL,
      poolSize: config.DB_POOL_SIZE,
      timeoutMs: config.DB_TIMEOUT_MS,
      statements,
    },
    {
      postgres: (pool) => ({
        store: createPostgresWorkerStore({
          pool,
          policy,
          onBatch: (step, size) => metrics.dbGroupSize.observe({ step }, size),
        }),
        outbox: createPostgresOutboxStore(pool),
        retention: retention(pool),
      }),
      mssql: (pool) => ({
        store: createMssqlWorkerStore({ pool, policy }),
        outbox: createMssqlOutboxStore(pool),
        retention: retention(pool),
      }),
    },
  );
}
