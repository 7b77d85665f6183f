import pg from 'pg';

/**
 * A pg pool that survives its server going away. A connection the server terminates (restart,
 * failover, `drop database … with (force)`) is reported as an 'error' event on the pool, or on a
 * checked-out client where pg-pool has no listener; unhandled, either would crash the process.
 * The query that was running still fails, and the pool replaces the connection.
 */
export function createPostgresPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', () => undefined);
  pool.on('connect', (client) => void client.on('error', () => undefined));
  return pool;
}
