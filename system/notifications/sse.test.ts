import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toNotification } from './events.ts';
import { createNotificationsMetrics, type NotificationsMetrics } from './notifications-metrics.ts';
import type { ReplayStore } from './redis-replay-store.ts';
import { createSseHub, type SseHub } from './sse.ts';
import { FakeSseResponse } from './testing/fake-sse-response.ts';
import { makeEnvelope } from './testing/notifications-harness.ts';

const replay: ReplayStore = {
  append: () => Promise.resolve('1-0'),
  locate: () => Promise.resolve({ kind: 'unknown' }),
  readAfter: () => Promise.resolve([]),
};

let hub: SseHub;
let metrics: NotificationsMetrics;

function connect(url = '/api/notifications/stream'): FakeSseResponse {
  const res = new FakeSseResponse();
  hub.handle({ url, headers: {} } as IncomingMessage, res as unknown as ServerResponse);
  return res;
}

const dropped = async (reason: string) =>
  (await metrics.dropped.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

beforeEach(() => {
  vi.useFakeTimers();
  metrics = createNotificationsMetrics(new Registry());
  hub = createSseHub({
    replay,
    metrics,
    logger: { info: () => undefined, warn: () => undefined },
    heartbeatMs: 1_000,
    retryMs: 1_500,
    maxBufferedBytes: 1_000,
    drainTimeoutMs: 5_000,
  });
});

afterEach(() => {
  hub.close();
  vi.useRealTimers();
});

describe('SSE hub', () => {
  it('opens with retry and connected, then sends a comment heartbeat every interval', () => {
    const res = connect();
    expect(res.chunks[0]).toMatch(
      /^retry: 1500\n\nevent: connected\ndata: \{"clientId":"[0-9a-f-]{36}"\}\n\n$/,
    );
    vi.advanceTimersByTime(3_000);
    expect(res.chunks.slice(1)).toEqual([': heartbeat\n\n', ': heartbeat\n\n', ': heartbeat\n\n']);
  });

  it('sends no heartbeat to a client that got a notification within the interval', () => {
    const busy = connect();
    const idle = connect('/api/notifications/stream?types=StudentDeleted');
    vi.advanceTimersByTime(500);
    hub.sink.broadcast(toNotification(makeEnvelope()));
    vi.advanceTimersByTime(500);
    expect(busy.chunks.slice(1).filter((c) => c.startsWith(':'))).toEqual([]);
    expect(idle.chunks.slice(1)).toEqual([': heartbeat\n\n']);
    vi.advanceTimersByTime(1_000);
    expect(busy.chunks.slice(1).filter((c) => c.startsWith(':'))).toEqual([': heartbeat\n\n']);
  });

  it('writes a batch to each client with its socket corked across the whole batch', () => {
    const res = connect();
    const writesWhileCorked: number[] = [];
    const write = res.write.bind(res);
    res.write = (chunk) => (writesWhileCorked.push(res.corked), write(chunk));
    const batch = [toNotification(makeEnvelope()), toNotification(makeEnvelope())];
    const deliveries = hub.sink.broadcastBatch?.(batch);
    expect(deliveries?.map((d) => d.clients)).toEqual([1, 1]);
    expect(writesWhileCorked).toEqual([1, 1]);
    expect(res.corked).toBe(0);
    expect(res.chunks.slice(1).map((c) => /^id: (.*)$/m.exec(c)?.[1])).toEqual(
      batch.map((n) => n.envelope.messageId),
    );
  });

  it('drops a client whose unsent bytes pass the bound, and keeps writing to the others', async () => {
    const slow = connect();
    const fast = connect();
    slow.accepting = false;
    const big = toNotification(makeEnvelope({ filler: 2_000 }));
    expect(hub.sink.broadcast(big).clients).toBe(1);
    expect(slow.destroyed).toBe(true);
    expect(await dropped('buffer')).toBe(1);
    expect(hub.sink.broadcast(toNotification(makeEnvelope())).clients).toBe(1);
    expect(fast.chunks).toHaveLength(3);
    expect(hub.size()).toBe(1);
  });

  it('drops a client that does not drain before the deadline, but not one that does', async () => {
    const stalled = connect();
    const recovering = connect();
    stalled.accepting = false;
    recovering.accepting = false;
    hub.sink.broadcast(toNotification(makeEnvelope()));
    vi.advanceTimersByTime(4_000);
    recovering.accepting = true;
    recovering.emit('drain');
    vi.advanceTimersByTime(1_001);
    expect(stalled.destroyed).toBe(true);
    expect(recovering.destroyed).toBe(false);
    expect(await dropped('stalled')).toBe(1);
  });

  it('sends only the requested types', () => {
    const res = connect('/api/notifications/stream?types=student.deleted');
    hub.sink.broadcast(toNotification(makeEnvelope({ type: 'student.created' })));
    hub.sink.broadcast(toNotification(makeEnvelope({ type: 'student.deleted', payload: { id: 'x' } })));
    expect(res.chunks.slice(1).map((c) => /event: (.*)/.exec(c)?.[1])).toEqual(['student.deleted']);
  });
});

describe('SSE replay on reconnect', () => {
  it('does not send a notification twice when it is replayed before its live fan-out', async () => {
    // The broadcaster appends to the stream, then fans out: a client replayed in between finds the
    // notification in the stream AND is connected when the live broadcast arrives.
    const envelope = makeEnvelope({ type: 'student.created' });
    const entry = {
      streamId: '5-0',
      messageId: envelope.messageId,
      type: envelope.type,
      json: JSON.stringify(envelope),
    };
    const racingHub = createSseHub({
      replay: {
        append: () => Promise.resolve(entry.streamId),
        locate: () => Promise.resolve({ kind: 'found', streamId: '4-0', gap: false }),
        readAfter: (after) => Promise.resolve(after === '4-0' ? [entry] : []),
      },
      metrics,
      logger: { info: () => undefined, warn: () => undefined },
      heartbeatMs: 60_000,
      retryMs: 1_500,
      maxBufferedBytes: 100_000,
      drainTimeoutMs: 5_000,
    });
    const res = new FakeSseResponse();
    racingHub.handle(
      { url: '/api/notifications/stream', headers: { 'last-event-id': 'm-4' } } as unknown as IncomingMessage,
      res as unknown as ServerResponse,
    );
    await vi.waitFor(() => expect(res.chunks.join('')).toContain(`id: ${envelope.messageId}`));
    racingHub.sink.broadcast(toNotification(envelope, entry.streamId));
    const frames = res.chunks.join('').split(`id: ${envelope.messageId}\n`).length - 1;
    racingHub.close();
    expect(frames).toBe(1);
  });
});
