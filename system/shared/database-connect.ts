import mssql from 'mssql';
import type pg from 'pg';
import { dialectOf } from './migrate.ts';
import type { CauseCounter } from './cost-attribution.ts';
import { countStatements, createPostgresPool, postgresPoolConfig } from './postgres-pool.ts';

/** How a service builds its adapters on whichever pool the URL names. */
export interface DatabaseAdapterFactories<T> {
  postgres(pool: pg.Pool): T;
  mssql(pool: mssql.ConnectionPool): T;
}

export interface DatabaseConnectOptions {
  /** `postgres://…` (local default) or `mssql://…` (Docker, like the seed). */
  url: string;
  /** Most pooled connections (PostgreSQL; SQL Server reads its own from the URL). */
  poolSize: number;
  /**
   * Bound on connecting and on every statement, in milliseconds (PostgreSQL): a black-holed
   * database fails requests after this instead of hanging them and `/metrics` for minutes.
   */
  timeoutMs: number;
  /** Counts the statements sent, by cause (`sql_statements_total`; PostgreSQL only). */
  statements?: CauseCounter;
}

/**
 * Opens the pool the URL's protocol names and builds the service's adapters on it. The adapters own
 * the pool from then on (their `close()` ends it). SQL Server needs an open pool before its first
 * request, so it is connected here; pg connects lazily.
 */
export async function connectDatabase<T>(
  options: DatabaseConnectOptions,
  adapters: DatabaseAdapterFactories<T>,
): Promise<T> {
  if (dialectOf(options.url) === 'postgres') {
    const pool = createPostgresPool(
      postgresPoolConfig({ url: options.url, max: options.poolSize, timeoutMs: options.timeoutMs }),
    );
    return adapters.postgres(options.statements ? countStatements(pool, options.statements) : pool);
  }
  const pool = await new mssql.ConnectionPool(options.url).connect();
  // A lost connection is reported here as well as to the request that used it; only the request
  // needs to know (unhandled, the event would end the process).
  pool.on('error', () => undefined);
  return adapters.mssql(pool);
}
