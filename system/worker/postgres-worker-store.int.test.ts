import { createResiliencePolicy } from '../shared/resilience-policy.ts';
import { createPostgresOutboxStore } from '../shared/outbox/postgres-outbox-store.ts';
import { createPostgresWorkerStore } from './postgres-worker-store.ts';
import { createTestDatabase, insertStudent } from './testing/worker-test-env.ts';
import { describeWorkerStoreContract } from './worker-store.contract.ts';
import { createPostgresPool } from '../shared/postgres-pool.ts';

describeWorkerStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  const pool = createPostgresPool({ connectionString: db.url, max: 6 });
  const policy = createResiliencePolicy({
    name: 'db',
    timeoutMs: 5_000,
    maxRetries: 1,
    initialDelayMs: 10,
    maxDelayMs: 50,
    consecutiveFailures: 5,
    halfOpenAfterMs: 1_000,
  });
  return {
    store: createPostgresWorkerStore({ pool, policy }),
    outbox: createPostgresOutboxStore(pool),
    insertStudent: async (id) => void (await insertStudent(db.pool, id)),
    updatesOf: async (id) =>
      (await db.pool.query<{ updates: number }>('select updates from students where id = $1', [id])).rows[0]
        ?.updates,
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
});
