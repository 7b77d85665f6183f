import nodeSqlParser from 'node-sql-parser';
import { describe, expect, it } from 'vitest';
import { createRetentionSweeper, retentionStatements, type RetentionRule } from './retention.ts';

const quiet = { info: () => undefined, warn: () => undefined };

/** A rule over `expired` rows that deletes up to `limit` per call. */
function fakeRule(name: string, expired: number, failWith?: Error): RetentionRule & { calls: number } {
  let left = expired;
  const rule = {
    name,
    retentionSec: 60,
    calls: 0,
    prune(limit: number) {
      rule.calls += 1;
      if (failWith) return Promise.reject(failWith);
      const n = Math.min(limit, left);
      left -= n;
      return Promise.resolve(n);
    },
  };
  return rule;
}

describe('retention sweeper', () => {
  it('deletes in batches until a batch comes back short, at most maxBatchesPerSweep per sweep', async () => {
    const small = fakeRule('small', 5);
    const large = fakeRule('large', 100);
    const sweeper = createRetentionSweeper({
      rules: [small, large],
      intervalMs: 1_000,
      batchSize: 2,
      maxBatchesPerSweep: 10,
      logger: quiet,
    });
    expect(await sweeper.sweep()).toEqual({ small: 5, large: 20 });
    expect(small.calls).toBe(3);
    expect(await sweeper.sweep()).toEqual({ small: 0, large: 20 });
  });

  it('logs a failing rule and still sweeps the others', async () => {
    const warnings: string[] = [];
    const sweeper = createRetentionSweeper({
      rules: [fakeRule('broken', 1, new Error('database down')), fakeRule('fine', 1)],
      intervalMs: 1_000,
      batchSize: 10,
      logger: { info: () => undefined, warn: (_obj: unknown, msg?: string) => void warnings.push(msg ?? '') },
    });
    expect(await sweeper.sweep()).toEqual({ fine: 1 });
    expect(warnings).toHaveLength(1);
  });
});

describe('retention statements', () => {
  const parser = new nodeSqlParser.Parser();
  it.each(Object.entries(retentionStatements.mssql))(
    'parses the SQL Server %s delete as T-SQL',
    (_name, sql) => {
      expect(() => parser.astify(sql, { database: 'transactsql' })).not.toThrow();
    },
  );
  it.each(Object.entries(retentionStatements.postgres))('parses the PostgreSQL %s delete', (_name, sql) => {
    expect(() => parser.astify(sql, { database: 'postgresql' })).not.toThrow();
  });
});
