import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodeSqlParser from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { mssqlMigrateStatements, splitBatches } from '../../shared/migrate.ts';
import { mssqlOutboxStatements } from '../../shared/outbox/mssql-outbox-store.ts';
import { mssqlStudentStatements } from './mssql-student-store.ts';

const parser = new nodeSqlParser.Parser();
const parseTsql = (sql: string) => parser.astify(sql, { database: 'transactsql' });
const migrationsDir = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../shared/migrations/mssql',
);

const adapterStatements = {
  ...prefixed('student', mssqlStudentStatements),
  ...prefixed('outbox', mssqlOutboxStatements),
  ...prefixed('migrate', mssqlMigrateStatements),
};

function prefixed(prefix: string, statements: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(statements).map(([k, v]) => [`${prefix}.${k}`, v]));
}

describe('SQL Server statements', () => {
  it.each(Object.entries(adapterStatements))('parses %s as T-SQL', (_name, sql) => {
    expect(() => parseTsql(sql)).not.toThrow();
  });

  it('parses every batch of every SQL Server migration as T-SQL', async () => {
    const files = (await readdir(migrationsDir)).filter((f) => f.endsWith('.sql'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      for (const batch of splitBatches(await readFile(path.join(migrationsDir, file), 'utf8'))) {
        expect(() => parseTsql(batch), `${file}: ${batch.slice(0, 80)}`).not.toThrow();
      }
    }
  });

  it('rejects a statement that is not T-SQL, so the check can fail', () => {
    expect(() => parseTsql('SELECT id FROM students LIMIT 5 RETURNING id')).toThrow();
  });

  it('never writes updates (the worker alone increments it)', () => {
    const writesUpdates = Object.values(mssqlStudentStatements).filter((s) => /updates\s*=/.test(s));
    expect(writesUpdates).toEqual([]);
  });
});
