import mssql from 'mssql';
import type pg from 'pg';
import type { Logger } from './logger.ts';

/** One kind of row that may be deleted once older than `retentionSec`. */
export interface RetentionRule {
  name: string;
  retentionSec: number;
  /** Deletes up to `limit` expired rows, oldest first; resolves with how many it deleted. */
  prune(limit: number): Promise<number>;
}

export interface RetentionSweeperOptions {
  rules: RetentionRule[];
  /** Time between sweeps, in milliseconds. */
  intervalMs: number;
  /** Rows per delete statement (short transactions, short locks). */
  batchSize: number;
  /** Statements per rule per sweep, so one sweep stays bounded; the rest waits for the next. */
  maxBatchesPerSweep?: number;
  logger: Pick<Logger, 'info' | 'warn'>;
  onPruned?(rule: string, rows: number): void;
}

export interface RetentionSweeper {
  /** One sweep now: rows deleted per rule. A failing rule is logged and skipped. */
  sweep(): Promise<Record<string, number>>;
  start(): void;
  /** Stops the timer and waits for a running sweep. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Deletes what the system no longer needs: published outbox rows, old idempotency keys, finished
 * message ids past the redelivery window. Small batches on a timer, so the tables stop growing
 * without a long lock or a long transaction.
 */
export function createRetentionSweeper(options: RetentionSweeperOptions): RetentionSweeper {
  const { rules, batchSize, logger, maxBatchesPerSweep = 20 } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<Record<string, number>> | undefined;

  async function pruneRule(rule: RetentionRule): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatchesPerSweep; i++) {
      const deleted = await rule.prune(batchSize);
      total += deleted;
      if (deleted < batchSize) break;
    }
    return total;
  }

  async function sweepAll(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const rule of rules) {
      try {
        result[rule.name] = await pruneRule(rule);
        if (result[rule.name]! > 0) {
          options.onPruned?.(rule.name, result[rule.name]!);
          logger.info({ rule: rule.name, rows: result[rule.name] }, 'retention: deleted expired rows');
        }
      } catch (error) {
        logger.warn({ err: error, rule: rule.name }, 'retention: sweep failed; retrying at the next one');
      }
    }
    return result;
  }

  const sweep = () => (running ??= sweepAll().finally(() => (running = undefined)));
  return {
    sweep,
    start() {
      if (timer) return;
      timer = setInterval(() => void sweep(), options.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

/** The delete statements, per dialect: oldest expired rows first, at most a batch at a time. */
export const retentionStatements = {
  postgres: {
    outbox: `delete from outbox where id in (
      select id from outbox where producer = $1 and published_at < now() - make_interval(secs => $2)
      order by published_at limit $3)`,
    idempotencyKeys: `delete from idempotency_keys where (scope, idempotency_key) in (
      select scope, idempotency_key from idempotency_keys where created_at < now() - make_interval(secs => $1)
      order by created_at limit $2)`,
    processedMessages: `delete from processed_messages where message_id in (
      select message_id from processed_messages
      where stage = 'done' and completed_at < now() - make_interval(secs => $1)
      order by completed_at limit $2)`,
  },
  mssql: {
    outbox: `DELETE TOP (@limit) FROM outbox
      WHERE producer = @producer AND published_at < DATEADD(SECOND, -@retentionSec, SYSDATETIMEOFFSET())`,
    idempotencyKeys: `DELETE TOP (@limit) FROM idempotency_keys
      WHERE created_at < DATEADD(SECOND, -@retentionSec, SYSDATETIMEOFFSET())`,
    processedMessages: `DELETE TOP (@limit) FROM processed_messages
      WHERE stage = 'done' AND completed_at < DATEADD(SECOND, -@retentionSec, SYSDATETIMEOFFSET())`,
  },
} as const;

export type RetentionTarget =
  { kind: 'outbox'; producer: string } | { kind: 'idempotencyKeys' } | { kind: 'processedMessages' };

/** A rule over PostgreSQL (`pg.Pool`) or SQL Server (`mssql.ConnectionPool`). */
export function retentionRule(
  pool: pg.Pool | mssql.ConnectionPool,
  target: RetentionTarget,
  retentionSec: number,
): RetentionRule {
  const name = target.kind === 'outbox' ? `outbox:${target.producer}` : target.kind;
  if (pool instanceof mssql.ConnectionPool) {
    const text = retentionStatements.mssql[target.kind];
    return {
      name,
      retentionSec,
      async prune(limit) {
        const request = pool
          .request()
          .input('limit', mssql.Int, limit)
          .input('retentionSec', mssql.Int, retentionSec);
        if (target.kind === 'outbox') request.input('producer', mssql.NVarChar(50), target.producer);
        return (await request.query(text)).rowsAffected[0] ?? 0;
      },
    };
  }
  const text = retentionStatements.postgres[target.kind];
  return {
    name,
    retentionSec,
    async prune(limit) {
      const values =
        target.kind === 'outbox' ? [target.producer, retentionSec, limit] : [retentionSec, limit];
      return (await pool.query(text, values)).rowCount ?? 0;
    },
  };
}
