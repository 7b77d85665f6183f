import { describe, expect, it } from 'vitest';
import {
  MAX_SOCKETS_PER_WORKER,
  SOCKETS_PER_SOURCE_ADDRESS,
  libraryCount,
  planListenerFleet,
  type WorkerPlan,
} from './listener-fleet-plan.ts';

const sum = (plan: WorkerPlan[], key: keyof Omit<WorkerPlan, 'localAddress'>): number =>
  plan.reduce((s, w) => s + w[key], 0);

describe('listener fleet plan', () => {
  it('runs 10 % of each transport on the library clients by default, at least one each', () => {
    const plan = planListenerFleet({ sse: 5000, socketio: 5000, cores: 2 });
    expect(sum(plan, 'sseLibrary')).toBe(500);
    expect(sum(plan, 'socketioLibrary')).toBe(500);
    expect(sum(plan, 'sse')).toBe(5000);
    const small = planListenerFleet({ sse: 3, socketio: 0, cores: 2 });
    expect(sum(small, 'sseLibrary')).toBe(1);
    expect(sum(small, 'socketioLibrary')).toBe(0);
  });

  it('runs no library client when the share is 0, and only library clients at 1', () => {
    expect(libraryCount(100, 0)).toBe(0);
    expect(libraryCount(100, 1)).toBe(100);
    expect(libraryCount(100, 0.25)).toBe(25);
  });

  it('keeps everything on the default source address below one address’s ports', () => {
    const plan = planListenerFleet({ sse: 12_000, socketio: 12_000, cores: 2 });
    expect(plan.every((w) => w.localAddress === undefined)).toBe(true);
  });

  it('needs no source address of its own when the listeners are spread over enough service ports', () => {
    const plan = planListenerFleet({ sse: 25_000, socketio: 25_000, workers: 4, cores: 2, destinations: 4 });
    expect(plan.every((w) => w.localAddress === undefined)).toBe(true);
    expect(
      planListenerFleet({ sse: 25_000, socketio: 25_000, workers: 4, cores: 2, destinations: 1 })[0]
        ?.localAddress,
    ).toBe('127.0.0.2');
  });

  it('gives each process its own source address from 127.0.0.2 at 50,000 listeners', () => {
    const plan = planListenerFleet({ sse: 25_000, socketio: 25_000, workers: 4, cores: 2 });
    expect(plan.map((w) => w.localAddress)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']);
    for (const w of plan) {
      const lean = w.sse - w.sseLibrary + w.socketio - w.socketioLibrary;
      expect(w.sse + w.socketio).toBeLessThanOrEqual(MAX_SOCKETS_PER_WORKER);
      expect(lean).toBeLessThanOrEqual(SOCKETS_PER_SOURCE_ADDRESS);
    }
    // The library listeners share 127.0.0.1.
    expect(sum(plan, 'sseLibrary') + sum(plan, 'socketioLibrary')).toBe(5000);
  });

  it('refuses, listing every problem, a process past 19,000 sockets or a share out of range', () => {
    expect(() =>
      planListenerFleet({ sse: 25_000, socketio: 25_000, workers: 2, libraryShare: 1.5, cores: 2 }),
    ).toThrow(
      /libraryShare must be within 0\.\.1 \(got 1\.5\).*2 workers would hold 25000 sockets each.*at least 3/,
    );
  });

  it('refuses more library listeners than one source address can hold', () => {
    expect(() => planListenerFleet({ sse: 20_000, socketio: 20_000, libraryShare: 1, cores: 2 })).toThrow(
      /40000 library listeners would all leave from 127\.0\.0\.1/,
    );
  });
});
