import pg from 'pg';
import { countCost, type CauseCounter } from './cost-attribution.ts';

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

/**
 * Counts every statement the pool sends, under the cause of the code that sent it
 * (cost-attribution.ts). A statement is counted where it is issued, in its caller's async context:
 * `pool.query` when called; a checked-out client's `query` while our code holds it. The query
 * `pool.query` runs on a client internally is not counted again (pg-pool checks that client out
 * with a callback, and may run it later from another caller's context).
 */
export function countStatements(pool: pg.Pool, counter: CauseCounter): pg.Pool {
  const heldByCaller = new WeakSet<pg.PoolClient>();
  const poolQuery = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const poolConnect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  Object.assign(pool, {
    query: (...args: unknown[]) => {
      countCost(counter);
      return poolQuery(...args);
    },
    connect: (...args: unknown[]) => {
      if (typeof args[0] === 'function') return poolConnect(...args);
      return (poolConnect() as Promise<pg.PoolClient>).then((client) => {
        heldByCaller.add(client);
        const release = client.release.bind(client);
        client.release = (error?: Error | boolean) => {
          heldByCaller.delete(client);
          release(error);
        };
        return client;
      });
    },
  });
  pool.on('connect', (client) => {
    const clientQuery = client.query.bind(client) as (...args: unknown[]) => unknown;
    Object.assign(client, {
      query: (...args: unknown[]) => {
        if (heldByCaller.has(client)) countCost(counter);
        return clientQuery(...args);
      },
    });
  });
  return pool;
}
