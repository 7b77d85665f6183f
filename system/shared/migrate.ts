import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import pg from 'pg';
import mssql from 'mssql';
import { computeBackoffDelayMs } from './backoff-delay.ts';
import type { Logger } from './logger.ts';

export type SqlDialect = 'postgres' | 'mssql';

export interface Migration {
  /** From the file name `NNN_name.sql`: API 001–099, worker 100–199, notifications 200–299. */
  version: number;
  name: string;
  sql: string;
}

export interface MigrateOptions {
  /** `postgres://…` or `mssql://…`. */
  databaseUrl: string;
  /** Defaults to `system/shared/migrations/<dialect>`. */
  directory?: string;
  logger?: Pick<Logger, 'info'>;
}

export interface MigrateResult {
  dialect: SqlDialect;
  applied: number[];
}

const migrationsRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** One constant so every process contends for the same lock. */
const lockName = 'event-lab:schema-migrations';
const postgresLockKey = 7_311_911_061;

export const dialectOf = (databaseUrl: string): SqlDialect => {
  const protocol = new URL(databaseUrl).protocol;
  if (protocol === 'postgres:' || protocol === 'postgresql:') return 'postgres';
  if (protocol === 'mssql:' || protocol === 'sqlserver:') return 'mssql';
  throw new Error(`unsupported database URL protocol ${protocol}`);
};

/** Reads `NNN_name.sql` files in version order; anything else in the directory is ignored. */
export async function loadMigrations(directory: string): Promise<Migration[]> {
  const files = (await readdir(directory)).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f));
  const migrations = await Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: await readFile(path.join(directory, file), 'utf8'),
    })),
  );
  migrations.sort((a, b) => a.version - b.version);
  const duplicate = migrations.find((m, i) => i > 0 && migrations[i - 1]!.version === m.version);
  if (duplicate) throw new Error(`two migrations share version ${duplicate.version}`);
  return migrations;
}

/** T-SQL scripts may separate batches with `GO` lines (as in SSMS/sqlcmd). */
export const splitBatches = (script: string): string[] =>
  script
    .split(/^\s*GO\s*$/im)
    .map((b) => b.trim())
    .filter((b) => b.replace(/^--.*$/gm, '').trim().length > 0);

/**
 * Applies every migration not yet recorded in `schema_migrations`, each in its own transaction
 * together with its record. Idempotent, and safe when several processes start at once: they
 * serialise on an advisory lock (PostgreSQL) or an application lock (SQL Server).
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const dialect = dialectOf(options.databaseUrl);
  const migrations = await loadMigrations(options.directory ?? path.join(migrationsRoot, dialect));
  const applied =
    dialect === 'postgres'
      ? await migratePostgres(options.databaseUrl, migrations)
      : await migrateMssql(options.databaseUrl, migrations);
  if (applied.length > 0) options.logger?.info({ dialect, applied }, 'migrations applied');
  return { dialect, applied };
}

export interface MigrateWithRetryOptions extends MigrateOptions {
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Attempts before giving up with the last error (default 30: about two minutes of backoff). */
  maxAttempts?: number;
  /** The migration run itself (default {@link migrate}; unit tests pass a fake). */
  run?: (options: MigrateOptions) => Promise<unknown>;
}

/**
 * How every service migrates at start: the database may still be starting (compose,
 * `npm run system`), so failures are retried with backoff (500 ms doubling to 5,000) instead of
 * crashing the process; after `maxAttempts` the last error is thrown.
 */
export async function migrateWithRetry(options: MigrateWithRetryOptions): Promise<void> {
  const { logger, maxAttempts = 30, run = migrate } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      await run({ databaseUrl: options.databaseUrl, directory: options.directory, logger });
      return;
    } catch (error) {
      if (attempt >= maxAttempts) throw error;
      const delayMs = computeBackoffDelayMs(attempt, { initialDelayMs: 500, maxDelayMs: 5_000 });
      logger.warn({ err: error, attempt, delayMs }, 'migrations failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied: number[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [postgresLockKey]);
    await client.query(
      `create table if not exists schema_migrations (
         version integer primary key, name text not null, applied_at timestamptz not null default now())`,
    );
    const done = await client.query<{ version: number }>('select version from schema_migrations');
    const seen = new Set(done.rows.map((r) => r.version));
    for (const m of migrations.filter((x) => !seen.has(x.version))) {
      await client.query('begin');
      try {
        await client.query(m.sql);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [
          m.version,
          m.name,
        ]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${m.version}_${m.name} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      applied.push(m.version);
    }
    await client.query('select pg_advisory_unlock($1)', [postgresLockKey]);
  } finally {
    await client.end();
  }
  return applied;
}

/** T-SQL the runner itself sends; exported so the parser test checks them. */
export const mssqlMigrateStatements = {
  lock: `EXEC sp_getapplock @Resource = @resource, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 60000`,
  createTable: `IF OBJECT_ID(N'schema_migrations', N'U') IS NULL CREATE TABLE schema_migrations (version INT NOT NULL PRIMARY KEY, name NVARCHAR(200) NOT NULL, applied_at DATETIMEOFFSET(3) NOT NULL DEFAULT SYSDATETIMEOFFSET())`,
  selectVersions: `SELECT version FROM schema_migrations`,
  record: `INSERT INTO schema_migrations (version, name) VALUES (@version, @name)`,
} as const;

async function migrateMssql(url: string, migrations: Migration[]): Promise<number[]> {
  const pool = await new mssql.ConnectionPool(url).connect();
  const applied: number[] = [];
  try {
    const tx = new mssql.Transaction(pool);
    await tx.begin();
    try {
      await tx.request().input('resource', lockName).query(mssqlMigrateStatements.lock);
      await tx.request().batch(mssqlMigrateStatements.createTable);
      const done = await tx.request().query<{ version: number }>(mssqlMigrateStatements.selectVersions);
      const seen = new Set(done.recordset.map((r) => r.version));
      for (const m of migrations.filter((x) => !seen.has(x.version))) {
        for (const batch of splitBatches(m.sql)) await tx.request().batch(batch);
        await tx
          .request()
          .input('version', m.version)
          .input('name', m.name)
          .query(mssqlMigrateStatements.record);
        applied.push(m.version);
      }
      await tx.commit();
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      throw error;
    }
  } finally {
    await pool.close();
  }
  return applied;
}
