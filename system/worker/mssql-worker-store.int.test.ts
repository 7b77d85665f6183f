import mssql from 'mssql';
import { describe } from 'vitest';
import { migrate } from '../shared/migrate.ts';
import { createMssqlOutboxStore } from '../shared/outbox/mssql-outbox-store.ts';
import { createNoopPolicy } from '../shared/resilience-policy.ts';
import { createMssqlWorkerStore } from './mssql-worker-store.ts';
import { describeWorkerStoreContract } from './worker-store.contract.ts';

const mssqlUrl = process.env.MSSQL_URL;

// SQL Server cannot run on the lab machines (no Docker engine, no Debian package); its statements are parsed in the unit suite.
describe.skipIf(!mssqlUrl)('SQL Server worker store (skipped: MSSQL_URL is not set)', () => {
  describeWorkerStoreContract('SQL Server', async () => {
    await migrate({ databaseUrl: mssqlUrl! });
    const pool = await new mssql.ConnectionPool(mssqlUrl!).connect();
    return {
      store: createMssqlWorkerStore({ pool, policy: createNoopPolicy('db') }),
      outbox: createMssqlOutboxStore(pool),
      insertStudent: async (id) =>
        void (await pool
          .request()
          .input('id', mssql.UniqueIdentifier, id)
          .query(
            `INSERT INTO students (id, first_name, last_name, email, created_by, last_modified_by) VALUES (@id, 'Ada', 'Lovelace', 'ada@example.com', 'test', 'test')`,
          )),
      updatesOf: async (id) =>
        (
          await pool
            .request()
            .input('id', mssql.UniqueIdentifier, id)
            .query<{ updates: number }>('SELECT updates FROM students WHERE id = @id')
        ).recordset[0]?.updates,
      close: () => pool.close(),
    };
  });
});
