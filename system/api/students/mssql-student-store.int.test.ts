import mssql from 'mssql';
import { describe } from 'vitest';
import { migrate } from '../../shared/migrate.ts';
import { createMssqlOutboxStore } from '../../shared/outbox/mssql-outbox-store.ts';
import { createMssqlStudentStore } from './mssql-student-store.ts';
import { describeStudentStoreContract } from './student-store.contract.ts';

const mssqlUrl = process.env.MSSQL_URL;

// SQL Server cannot run on the lab machines (no Docker engine, no Debian package); its statements are parsed in the unit suite.
const title = mssqlUrl ? 'SQL Server (MSSQL_URL)' : 'SQL Server (skipped: MSSQL_URL is not set)';

describe.skipIf(!mssqlUrl)(title, () => {
  describeStudentStoreContract('SQL Server', async () => {
    await migrate({ databaseUrl: mssqlUrl! });
    const pool = await new mssql.ConnectionPool(mssqlUrl!).connect();
    return {
      store: createMssqlStudentStore(pool),
      outbox: createMssqlOutboxStore(pool),
      incrementUpdates: async (id) => {
        await pool
          .request()
          .input('id', mssql.UniqueIdentifier, id)
          .query('UPDATE students SET updates = updates + 1 WHERE id = @id');
      },
      close: () => pool.close(),
    };
  });
});
