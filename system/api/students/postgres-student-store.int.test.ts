import { createPostgresOutboxStore } from '../../shared/outbox/postgres-outbox-store.ts';
import { createTestDatabase } from '../testing/postgres-test-database.ts';
import { createPostgresStudentStore } from './postgres-student-store.ts';
import { describeStudentStoreContract } from './student-store.contract.ts';
import { createPostgresPool } from '../../shared/postgres-pool.ts';

describeStudentStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  const pool = createPostgresPool({ connectionString: database.url, max: 10 });
  return {
    store: createPostgresStudentStore(pool),
    outbox: createPostgresOutboxStore(pool),
    incrementUpdates: async (id) => {
      await pool.query('update students set updates = updates + 1 where id = $1', [id]);
    },
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
});
