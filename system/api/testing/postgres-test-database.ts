import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { defaultUrls } from '../../../contracts/default-urls.ts';
import { migrate } from '../../shared/migrate.ts';

export interface TestDatabase {
  /** URL of the fresh, migrated database. */
  url: string;
  /** Drops the database (terminating leftover connections); idempotent. */
  drop(): Promise<void>;
}

const adminUrl = process.env.DATABASE_URL?.startsWith('postgres')
  ? process.env.DATABASE_URL
  : defaultUrls.database;

/** A fresh `lab_test_<random>` database with every migration applied. Test-only. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `lab_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrate({ databaseUrl: url.toString() });
  let dropping: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop: () =>
      (dropping ??= (async () => {
        const client = new pg.Client({ connectionString: adminUrl });
        await client.connect();
        await client.query(`drop database if exists ${name} with (force)`);
        await client.end();
      })()),
  };
}
