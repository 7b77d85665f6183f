import mssql from 'mssql';
import type pg from 'pg';
import { dialectOf } from './migrate.ts';
import { createPostgresPool } from './postgres-pool.ts';

/** How a service builds its adapters on whichever pool the URL names. */
export interface DatabaseAdapterFactories<T> {
  postgres(pool: pg.Pool): T;
  mssql(pool: mssql.ConnectionPool): T;
}

export interface DatabaseConnectOptions {
  /** `postgres://…` (local default) or `mssql://…` (Docker, like the seed). */
  url: string;
  /** pg pool settings besides the URL: size and timeouts. SQL Server reads its own from the URL. */
  postgres?: Omit<pg.PoolConfig, 'connectionString'>;
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
    return adapters.postgres(createPostgresPool({ ...options.postgres, connectionString: options.url }));
  }
  const pool = await new mssql.ConnectionPool(options.url).connect();
  // A lost connection is reported here as well as to the request that used it; only the request
  // needs to know (unhandled, the event would end the process).
  pool.on('error', () => undefined);
  return adapters.mssql(pool);
}
