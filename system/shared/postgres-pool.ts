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

/**
 * Pool settings every service uses: without them a black-holed database holds a request (and
 * `/metrics`, which reads the outbox) for the kernel's TCP timeout, about 15 minutes.
 * `timeoutMs` bounds the connection (handshake included) and each statement on the server;
 * `query_timeout` is the client's own bound, one second later, for a server that stopped answering.
 */
export function postgresPoolConfig(options: {
  url: string;
  max: number;
  /** In milliseconds. */
  timeoutMs: number;
}): pg.PoolConfig {
  return {
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: options.timeoutMs,
    statement_timeout: options.timeoutMs,
    query_timeout: options.timeoutMs + 1_000,
    idle_in_transaction_session_timeout: options.timeoutMs * 2,
  };
}

/** Runs `fn` in a transaction on a pooled client: commit on success, rollback on any error. */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
