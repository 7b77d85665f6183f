import { describe, expect, it } from 'vitest';
import type { TransportCounters } from '../load/listener-protocol.ts';
import {
  listenersBenchReport,
  listenersBenchText,
  validityBounds,
  type ListenersBenchInputs,
} from './listeners-bench-report.ts';

const counters = (connected: number): TransportCounters => ({
  connected,
  connects: connected,
  reconnects: 0,
  recovered: 0,
  disconnects: 0,
  errors: 0,
  receipts: connected * 10,
});

const inputs = (overrides: Partial<ListenersBenchInputs> = {}): ListenersBenchInputs => ({
  config: { listeners: 4, ratePerSec: 2, durationSec: 5, workers: 2, processes: 1, libraryShare: 0.5 },
  published: 10,
  publishedLate: 0,
  connectSec: 1,
  serverConnected: { sse: 2, socketio: 2 },
  droppedByServer: 0,
  serverPipelineMs: { sse: { p50: '~1', p99: '~2' }, socketio: { p50: '~1', p99: '~2' } },
  rss: { baselineBytes: 100 * 2 ** 20, withListenersBytes: 101 * 2 ** 20 },
  metrics: {
    'notifications.delivered': 40,
    'notifications.sse.listeners': 2,
    'notifications.sse.delivered': 20,
    'notifications.sse.latency.p99Ms': 12.5,
    'notifications.socketio.listeners': 2,
    'notifications.socketio.delivered': 20,
    'notifications.socketio.latency.p99Ms': 8,
    'notifications.sse.lean.listeners': 1,
    'notifications.sse.lean.delivered': 10,
    'notifications.sse.lean.latency.p99Ms': 4,
    'notifications.sse.library.listeners': 1,
    'notifications.sse.library.delivered': 10,
    'notifications.sse.library.latency.p99Ms': 12.5,
    'notifications.socketio.lean.listeners': 1,
    'notifications.socketio.lean.delivered': 10,
    'notifications.socketio.library.listeners': 1,
    'notifications.socketio.library.delivered': 9,
    'notifications.socketio.library.missing': 1,
  },
  counters: { sse: counters(2), socketio: counters(2) },
  countersByClient: {
    sse: { lean: counters(1), library: counters(1) },
    socketio: { lean: counters(1), library: counters(1) },
  },
  processes: [
    { lagP99Ms: 12, lagMaxMs: 20, cpuMs: 500, cpuPercent: 10, samples: 5 },
    { lagP99Ms: 15, lagMaxMs: 30, cpuMs: 500, cpuPercent: 10, samples: 5 },
  ],
  publisherLagMs: { p99: 11, max: 15 },
  windowMs: 5000,
  cores: 2,
  serverCpuSec: { before: 1, after: 1.004 },
  ...overrides,
});

describe('listeners bench report', () => {
  it('is valid when every listener process kept its loop lag within the bound', () => {
    const report = listenersBenchReport(inputs(), new Date(0));
    expect(report.valid).toBe(true);
    expect(report.invalidReason).toBeUndefined();
    expect(report.transports.sse).toMatchObject({ expected: 20, delivered: 20, allDelivered: true });
    expect(report.transports.sse.latency.p99).toBe(12.5);
    expect(report.serverCpuUsPerDelivery).toBeCloseTo(100, 5);
    expect(report.generatorCpu.share).toBe(0.1);
  });

  it('is invalid, with the reason, when a listener process lagged past the bound', () => {
    const lagging = {
      lagP99Ms: validityBounds.listenerLagP99Ms + 1,
      lagMaxMs: 90,
      cpuMs: 900,
      cpuPercent: 18,
      samples: 5,
    };
    const report = listenersBenchReport(
      inputs({ processes: [inputs().processes[0]!, lagging] }),
      new Date(0),
    );
    expect(report.valid).toBe(false);
    expect(report.invalidReason).toContain('listener process 1 event-loop lag p99 51 ms > 50 ms');
  });

  it('is invalid when the publisher lagged or a process sent no sample', () => {
    const report = listenersBenchReport(
      inputs({
        publisherLagMs: { p99: 80, max: 120 },
        processes: [{ lagP99Ms: 0, lagMaxMs: 0, cpuMs: 0, cpuPercent: 0, samples: 0 }],
      }),
      new Date(0),
    );
    expect(report.valid).toBe(false);
    expect(report.invalidReason).toMatch(/no health sample.*publisher event-loop lag p99 80 ms/);
  });

  it('reports lean and library listeners of each transport apart, beside the transport totals', () => {
    const report = listenersBenchReport(inputs(), new Date(0));
    expect(report.transports.sse).toMatchObject({ connected: 2, expected: 20, delivered: 20 });
    expect(report.clients.sse.lean).toMatchObject({ connected: 1, expected: 10, delivered: 10 });
    expect(report.clients.sse.lean.latency.p99).toBe(4);
    expect(report.clients.sse.library.latency.p99).toBe(12.5);
    expect(report.clients.socketio.library).toMatchObject({
      expected: 10,
      delivered: 9,
      allDelivered: false,
    });
    const text = listenersBenchText(report);
    expect(text).toMatch(/^sse\s+2\s+20\/20\s/m);
    expect(text).toMatch(/^ {2}library\s+1\s+9\/10\s/m);
  });

  it('does not count duplicated receipts as complete delivery', () => {
    const report = listenersBenchReport(
      inputs({ metrics: { ...inputs().metrics, 'notifications.sse.duplicated': 1 } }),
      new Date(0),
    );
    expect(report.transports.sse.allDelivered).toBe(false);
    expect(report.verdict.everyNotificationDelivered).toBe(false);
  });
});
