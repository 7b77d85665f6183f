import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createBroadcaster, type NotificationSink } from './broadcaster.ts';
import type { Notification } from './events.ts';
import { createNotificationsMetrics } from './notifications-metrics.ts';
import type { ReplayStore } from './redis-replay-store.ts';
import { makeEnvelope } from './testing/notifications-harness.ts';

function recordingSink(transport: 'sse' | 'socketio', seen: Notification[]): NotificationSink {
  return {
    transport,
    broadcast: (n) => {
      seen.push(n);
      return { clients: 3, bytes: 3 * 100 };
    },
    signalGap: () => undefined,
  };
}

function fakeReplay(delays: number[], fail = false): ReplayStore {
  let n = 0;
  return {
    append: () =>
      new Promise((resolve, reject) => {
        const id = `${++n}-0`;
        setTimeout(() => (fail ? reject(new Error('redis down')) : resolve(id)), delays.shift() ?? 0);
      }),
    locate: () => Promise.resolve({ kind: 'unknown' }),
    readAfter: () => Promise.resolve([]),
  };
}

describe('broadcaster', () => {
  it('starts a fan-out from a macrotask of its own, never inside the microtasks of the Redis reply that ended its append', async () => {
    const order: string[] = [];
    let answerAppend: (streamId: string) => void = () => undefined;
    const replay: ReplayStore = {
      append: () => new Promise((resolve) => (answerAppend = resolve)),
      locate: () => Promise.resolve({ kind: 'unknown' }),
      readAfter: () => Promise.resolve([]),
    };
    const sink: NotificationSink = {
      transport: 'socketio',
      broadcast: () => (order.push('fan-out'), { clients: 1, bytes: 1 }),
      signalGap: () => undefined,
    };
    const broadcaster = createBroadcaster({
      sinks: [sink],
      replay,
      metrics: createNotificationsMetrics(new Registry()),
      logger: { warn: () => undefined, debug: () => undefined },
    });
    const published = broadcaster.publish(makeEnvelope());
    await new Promise((resolve) => setImmediate(resolve));
    // One Redis reply answers the append and, say, a recovery's stream read: the recovery's chain
    // of microtasks (up to its socket joining the rooms) must finish before any broadcast.
    answerAppend('1-0');
    for (let i = 0; i < 50; i++) await Promise.resolve();
    order.push('recovered socket joined its rooms');
    await published;
    expect(order).toEqual(['recovered socket joined its rooms', 'fan-out']);
  });

  it('fans out a backlog together, in publish order, and a notification alone when there is none', async () => {
    const batches: string[][] = [];
    const batchingSink: NotificationSink = {
      transport: 'sse',
      broadcast: (n) => (batches.push([n.envelope.messageId]), { clients: 2, bytes: 200 }),
      broadcastBatch: (ns) => (
        batches.push(ns.map((n) => n.envelope.messageId)),
        ns.map(() => ({ clients: 2, bytes: 200 }))
      ),
      signalGap: () => undefined,
    };
    const metrics = createNotificationsMetrics(new Registry());
    const broadcaster = createBroadcaster({
      sinks: [batchingSink],
      replay: fakeReplay([]),
      metrics,
      logger: { warn: () => undefined, debug: () => undefined },
      maxBatch: 3,
    });
    const envelopes = Array.from({ length: 5 }, () => makeEnvelope());
    // Published together, they wait for the next turn of the event loop and go out three and two.
    await Promise.all(envelopes.map((e) => broadcaster.publish(e)));
    const ids = envelopes.map((e) => e.messageId);
    expect(batches).toEqual([
      [ids[0], ids[1], ids[2]],
      [ids[3], ids[4]],
    ]);
    expect((await metrics.deliveries.get()).values.reduce((sum, v) => sum + v.value, 0)).toBe(10);
    await broadcaster.publish(makeEnvelope());
    expect(batches.at(-1)).toHaveLength(1);
  });

  it('hands notifications to every transport in publish order, even when appends finish out of order', async () => {
    const seen: Notification[] = [];
    const metrics = createNotificationsMetrics(new Registry());
    const broadcaster = createBroadcaster({
      sinks: [recordingSink('socketio', seen), recordingSink('sse', seen)],
      replay: fakeReplay([30, 0]),
      metrics,
      logger: { warn: () => undefined, debug: () => undefined },
    });
    const [a, b] = [makeEnvelope(), makeEnvelope()];
    await Promise.all([broadcaster.publish(a), broadcaster.publish(b)]);
    // Published together, they go out as one batch: each transport gets both, in publish order.
    expect(seen.map((n) => n.envelope.messageId)).toEqual([
      a.messageId,
      b.messageId,
      a.messageId,
      b.messageId,
    ]);
    // One JSON string per notification, shared by the transports.
    expect(seen[0]?.json).toBe(seen[2]?.json);
    expect(seen[0]?.streamId).toBe('1-0');
    expect((await metrics.deliveries.get()).values.map((v) => v.value)).toEqual([6, 6]);
    expect((await metrics.bytesWritten.get()).values.map((v) => v.value)).toEqual([600, 600]);
  });

  it('still delivers live when the replay buffer fails', async () => {
    const seen: Notification[] = [];
    const warnings: unknown[] = [];
    const broadcaster = createBroadcaster({
      sinks: [recordingSink('sse', seen)],
      replay: fakeReplay([0], true),
      metrics: createNotificationsMetrics(new Registry()),
      logger: { warn: (...args: unknown[]) => void warnings.push(args), debug: () => undefined },
    });
    await broadcaster.publish(makeEnvelope());
    expect(seen).toHaveLength(1);
    expect(seen[0]?.streamId).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it('times each transport when its own sink has handed the bytes to the sockets', async () => {
    // A fake clock the Socket.IO sink advances by 40 ms, like a loop over thousands of sockets; the
    // SSE sink runs first and writes straight to its sockets, so it is not charged that loop.
    let nowMs = 1_000;
    const metrics = createNotificationsMetrics(new Registry());
    const slowSocketIo: NotificationSink = {
      transport: 'socketio',
      broadcast: () => ((nowMs += 40), { clients: 1, bytes: 100 }),
      signalGap: () => undefined,
    };
    const broadcaster = createBroadcaster({
      sinks: [recordingSink('sse', []), slowSocketIo],
      replay: fakeReplay([0]),
      metrics,
      logger: { warn: () => undefined, debug: () => undefined },
      now: () => nowMs,
    });
    await broadcaster.publish(makeEnvelope({ occurredAt: new Date(1_000).toISOString() }));
    const sums: Record<string, number> = {};
    for (const v of (await metrics.pipelineLatency.get()).values)
      if (v.metricName?.endsWith('_sum')) sums[String(v.labels.transport)] = v.value;
    expect(sums).toEqual({ sse: 0, socketio: 0.04 });
  });
});
