import { readFile } from 'node:fs/promises';
import nodeSqlParser from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { splitBatches } from '../shared/migrate.ts';
import { mssqlWorkerStatements } from './mssql-worker-store.ts';

const parser = new nodeSqlParser.Parser();
const parseTsql = (sql: string) => parser.astify(sql, { database: 'transactsql' });

describe('worker SQL Server statements', () => {
  it.each(Object.entries(mssqlWorkerStatements))('parses %s as T-SQL', (_name, sql) => {
    expect(() => parseTsql(sql)).not.toThrow();
  });

  it('parses every batch of the worker migration as T-SQL', async () => {
    const script = await readFile(
      new URL('../shared/migrations/mssql/100_processed_messages.sql', import.meta.url),
      'utf8',
    );
    const batches = splitBatches(script);
    expect(batches.length).toBeGreaterThan(0);
    for (const batch of batches) expect(() => parseTsql(batch)).not.toThrow();
  });

  it('increments updates only in SQL, never from a value read earlier', () => {
    expect(mssqlWorkerStatements.increment).toMatch(/updates = updates \+ 1/);
    expect(() => parseTsql('UPDATE students SET updates = 1 RETURNING *')).toThrow();
  });
});
