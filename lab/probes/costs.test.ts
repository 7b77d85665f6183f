import { describe, expect, it } from 'vitest';
import { metricNames } from '../../contracts/service-metrics.ts';
import type { PromSample } from '../metrics/prometheus-text.ts';
import { costPerWrite, costSnapshotOf, settledCostSnapshot } from './costs.ts';

const sample = (name: string, labels: Record<string, string>, value: number): PromSample => ({
  name,
  labels,
  value,
});

function scrapes(scale: number): PromSample[][] {
  return [
    [
      sample(metricNames.sqlStatements, { cause: 'request' }, 4 * scale),
      sample(metricNames.sqlStatements, { cause: 'other' }, 1000 + scale),
      sample(metricNames.redisCommands, { cause: 'request' }, 0),
      sample(metricNames.amqpPublishes, { producer: 'api', exchange: 'student.events' }, scale),
    ],
    [
      sample(metricNames.sqlStatements, { cause: 'message' }, 5 * scale),
      sample(metricNames.redisCommands, { cause: 'message' }, scale),
      sample(metricNames.amqpPublishes, { producer: 'worker', exchange: 'notifications' }, 2 * scale),
    ],
    [
      sample(metricNames.redisCommands, { cause: 'message' }, 2 * scale),
      sample(metricNames.notificationsBytesWritten, { transport: 'sse' }, 600 * 6 * scale),
      sample(metricNames.notificationsBytesWritten, { transport: 'socketio' }, 580 * 6 * scale),
      sample(metricNames.notificationsDeliveries, { transport: 'sse', type: 'student.created' }, 6 * scale),
      sample(
        metricNames.notificationsDeliveries,
        { transport: 'socketio', type: 'student.cached' },
        6 * scale,
      ),
    ],
  ];
}

describe('what a write costs', () => {
  it('adds up every service, counts only work-caused statements and commands, divides by the writes', () => {
    const perWrite = costPerWrite(costSnapshotOf(scrapes(10)), costSnapshotOf(scrapes(15)), 5);
    expect(perWrite).toEqual({
      'cost.sqlStatementsPerWrite': 9,
      'cost.redisCommandsPerWrite': 3,
      'cost.amqpPublishesPerWrite': 3,
      'cost.sse.bytesPerNotification': 600,
      'cost.socketio.bytesPerNotification': 580,
      'cost.bytesPerNotification': 590,
    });
  });

  it('reports nothing for no writes, and no bytes figure for a transport nobody listened on', () => {
    const before = costSnapshotOf(scrapes(1));
    expect(costPerWrite(before, before, 0)).toEqual({});
    expect(costPerWrite(before, before, 1)).not.toHaveProperty('cost.bytesPerNotification');
  });

  it('waits for the counters to settle, and gives up when they never do', async () => {
    let calls = 0;
    const settling = (): Promise<PromSample[]> => {
      calls++;
      // moves for the first six scrapes (two rounds of three services), then holds still
      return Promise.resolve(scrapes(Math.min(calls, 6)).flat());
    };
    expect(await settledCostSnapshot(settling, { settleMs: 1, timeoutMs: 1_000 })).toBeDefined();
    expect(calls).toBeGreaterThanOrEqual(9);
    let moving = 0;
    const neverStill = (): Promise<PromSample[]> => Promise.resolve(scrapes(++moving).flat());
    expect(await settledCostSnapshot(neverStill, { settleMs: 1, timeoutMs: 50 })).toBeUndefined();
  });
});
