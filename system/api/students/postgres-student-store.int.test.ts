import pg from 'pg';
import { createPostgresOutboxStore } from '../../shared/outbox/postgres-outbox-store.ts';
import { createTestDatabase } from '../testing/postgres-test-database.ts';
import { createPostgresStudentStore } from './postgres-student-store.ts';
import { describeStudentStoreContract } from './student-store.contract.ts';

describeStudentStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 10 });
  return {
    store: createPostgresStudentStore(pool),
    outbox: createPostgresOutboxStore(pool),
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
});
