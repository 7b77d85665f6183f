import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { createBroadcaster } from './broadcaster.ts';
import { createNotificationsMetrics } from './notifications-metrics.ts';
import type { ReplayEntry, ReplayStore } from './redis-replay-store.ts';
import { createSseHub } from './sse.ts';
import { FakeSseResponse } from './testing/fake-sse-response.ts';
import { makeEnvelope } from './testing/notifications-harness.ts';

/** An in-memory replay buffer whose appends of the listed messageIds fail after `failAfterMs`. */
function memoryReplay(failing: Set<string>, failAfterMs: number) {
  const entries: ReplayEntry[] = [];
  let seq = 0;
  const store: ReplayStore = {
    append: (entry) =>
      failing.has(entry.messageId)
        ? new Promise((_resolve, reject) => setTimeout(() => reject(new Error('redis timeout')), failAfterMs))
        : Promise.resolve(entries[entries.push({ ...entry, streamId: `${++seq}-0` }) - 1]!.streamId),
    locate: (messageId) => {
      const found = entries.find((e) => e.messageId === messageId);
      return Promise.resolve(
        found ? { kind: 'found', streamId: found.streamId, gap: false } : { kind: 'unknown' },
      );
    },
    readAfter: (after, count) => {
      const from = after === '-' ? 0 : entries.findIndex((e) => e.streamId === after) + 1;
      return Promise.resolve(entries.slice(from, from + count));
    },
  };
  return { store, entries };
}

describe('gaps in the replay buffer', () => {
  it('tells a reconnecting SSE client about a notification whose replay append timed out and failed', async () => {
    const [before, lost, after] = [makeEnvelope(), makeEnvelope(), makeEnvelope()];
    const replay = memoryReplay(new Set([lost.messageId]), 50);
    const metrics = createNotificationsMetrics(new Registry());
    const logger = { info: () => undefined, warn: () => undefined, debug: () => undefined };
    const sse = createSseHub({
      replay: replay.store,
      metrics,
      logger,
      heartbeatMs: 60_000,
      retryMs: 1_000,
      maxBufferedBytes: 1_000_000,
      drainTimeoutMs: 5_000,
    });
    // The append of `lost` outlives the 10 ms bound: it goes out live without a stream id.
    const broadcaster = createBroadcaster({
      sinks: [sse.sink],
      replay: replay.store,
      metrics,
      logger,
      appendTimeoutMs: 10,
    });
    await broadcaster.publish(before);
    await broadcaster.publish(lost);
    await broadcaster.publish(after);
    await vi.waitFor(() => expect(replay.entries.some((e) => e.type === 'gap')).toBe(true), {
      timeout: 5_000,
    });

    const res = new FakeSseResponse();
    sse.handle(
      {
        url: '/api/notifications/stream',
        headers: { 'last-event-id': before.messageId },
      } as unknown as IncomingMessage,
      res as unknown as ServerResponse,
    );
    await vi.waitFor(() => expect(res.chunks.join('')).toContain('event: gap'), { timeout: 5_000 });
    expect(res.chunks.join('')).toContain('"reason":"replay-incomplete"');
    sse.close();
    broadcaster.close();
  });

  it('announces a gap to every connected client and records it for later replays', async () => {
    const replay = memoryReplay(new Set(), 0);
    const metrics = createNotificationsMetrics(new Registry());
    const logger = { info: () => undefined, warn: () => undefined, debug: () => undefined };
    const sse = createSseHub({
      replay: replay.store,
      metrics,
      logger,
      heartbeatMs: 60_000,
      retryMs: 1_000,
      maxBufferedBytes: 1_000_000,
      drainTimeoutMs: 5_000,
    });
    const broadcaster = createBroadcaster({ sinks: [sse.sink], replay: replay.store, metrics, logger });
    const res = new FakeSseResponse();
    sse.handle(
      { url: '/api/notifications/stream', headers: {} } as IncomingMessage,
      res as unknown as ServerResponse,
    );
    broadcaster.signalGap('queue-expired');
    expect(res.chunks.join('')).toContain('event: gap\ndata: {"reason":"queue-expired"}');
    await vi.waitFor(() => expect(replay.entries.map((e) => e.type)).toEqual(['gap']));
    sse.close();
    broadcaster.close();
  });
});
