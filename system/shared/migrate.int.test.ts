import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultUrls } from '../../contracts/default-urls.ts';
import { migrate } from './migrate.ts';

const adminUrl = process.env.DATABASE_URL?.startsWith('postgres')
  ? process.env.DATABASE_URL
  : defaultUrls.database;
const name = `lab_test_${randomBytes(5).toString('hex')}`;
const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

afterAll(() => admin(`drop database if exists ${name} with (force)`));

describe('migrate (PostgreSQL)', () => {
  it('applies each migration once when two processes start at the same time, then nothing', async () => {
    await admin(`create database ${name}`);
    const [a, b] = await Promise.all([migrate({ databaseUrl: url }), migrate({ databaseUrl: url })]);
    const applied = [...a.applied, ...b.applied].sort((x, y) => x - y);
    expect(applied.slice(0, 3)).toEqual([1, 2, 3]);
    expect(new Set(applied).size).toBe(applied.length);
    expect((await migrate({ databaseUrl: url })).applied).toEqual([]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ column_name: string; column_default: string | null }>(
      `select column_name, column_default from information_schema.columns where table_name = 'students'`,
    );
    await client.end();
    expect(rows.find((r) => r.column_name === 'updates')?.column_default).toBe('0');
  });
});
