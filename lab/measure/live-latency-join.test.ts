import { describe, expect, it } from 'vitest';
import { createLiveLatencyJoin } from './live-latency-join.ts';

describe('live latency join', () => {
  it('takes a sample at once when the expectation came first', () => {
    const samples: [string, number][] = [];
    const join = createLiveLatencyJoin<'sse' | 'socketio'>({ onLatency: (t, us) => samples.push([t, us]) });
    join.expect('run-1', 1_000);
    join.receipt('sse', 'run-1', 4_000);
    expect(samples).toEqual([['sse', 3_000]]);
    expect(join.pending()).toBe(0);
  });

  it('holds a receipt that beat its expectation until the expectation arrives', () => {
    const samples: [string, number][] = [];
    const join = createLiveLatencyJoin<'sse' | 'socketio'>({ onLatency: (t, us) => samples.push([t, us]) });
    join.receipt('socketio', 'run-2', 9_000);
    join.receipt('sse', 'run-2', 9_500);
    expect(samples).toEqual([]);
    expect(join.pending()).toBe(2);
    join.expect('run-2', 8_000);
    expect(samples).toEqual([
      ['socketio', 1_000],
      ['sse', 1_500],
    ]);
    expect(join.pending()).toBe(0);
  });

  it('drops the oldest waiting receipt when pending is full', () => {
    const samples: number[] = [];
    const join = createLiveLatencyJoin<'sse'>({ onLatency: (_t, us) => samples.push(us), maxPending: 2 });
    join.receipt('sse', 'a', 10);
    join.receipt('sse', 'b', 20);
    join.receipt('sse', 'c', 30);
    expect(join.dropped()).toBe(1);
    join.expect('a', 0);
    join.expect('c', 0);
    expect(samples).toEqual([30]);
  });
});
