import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { nowUs } from './clock.ts';
import { fixedRateSchedule, runAtFixedRate, type SendOutcome } from './open-loop-schedule.ts';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

describe('fixed-rate schedule', () => {
  it('spaces intended send times evenly at the requested rate', () => {
    const sends = [...fixedRateSchedule({ ratePerSec: 4, durationMs: 1_000, startUs: 10_000_000 })];
    expect(sends.map((s) => s.intendedAtUs)).toEqual([10_000_000, 10_250_000, 10_500_000, 10_750_000]);
    expect(sends.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
  });

  it('rejects a non-positive rate', () => {
    expect(() => [...fixedRateSchedule({ ratePerSec: 0, durationMs: 1_000, startUs: 0 })]).toThrow(
      RangeError,
    );
  });
});

describe('runAtFixedRate', () => {
  it('shows a 500 ms server stall as high latency for requests scheduled during it (no coordinated omission)', async () => {
    // A fake server that freezes for 500 ms when request 50 arrives: everything in flight or
    // arriving during the freeze completes only when it ends.
    let frozenUntilUs = 0;
    const send = async (seq: number): Promise<void> => {
      if (seq === 50) frozenUntilUs = nowUs() + 500_000;
      const waitMs = (frozenUntilUs - nowUs()) / 1000;
      if (waitMs > 0) await sleep(waitMs);
    };
    const outcomes: SendOutcome[] = [];

    const result = await runAtFixedRate({
      ratePerSec: 200,
      durationMs: 1_500,
      send,
      maxInFlight: 1_000,
      onComplete: (o) => outcomes.push(o),
    });

    // Every scheduled request is measured: a stall does not shrink the sample.
    expect(result.scheduled).toBe(300);
    expect(result.completed).toBe(300);
    expect(result.latency.count).toBe(300);
    expect(result.maxInFlightHits).toBe(0);
    // ~100 requests (0.5 s × 200/s) were scheduled during the stall; latency falls from 500 ms
    // to 0 across them, so about half of them (~50, 1/6 of all) waited more than 250 ms.
    // (Only lower bounds on latency: a busy test machine can add latency, never remove it.)
    const slowDuringStall = outcomes.filter((o) => o.seq >= 50 && o.seq < 160 && o.latencyUs > 250_000);
    expect(slowDuringStall.length).toBeGreaterThanOrEqual(35);
    expect(result.latency.percentileUs(90)).toBeGreaterThan(200_000);
    expect(result.latency.summary().maxMs).toBeGreaterThan(450);
    // The requests scheduled during the stall still went out on schedule: their latency is the
    // server's stall, not the generator's.
    const duringStall = outcomes.filter((o) => o.seq > 50 && o.seq < 140).map((o) => o.startLagUs);
    expect(median(duringStall)).toBeLessThan(100_000);
  });

  it('counts maxInFlight hits and keeps the wait for a slot in the measured latency', async () => {
    const result = await runAtFixedRate({
      ratePerSec: 100,
      durationMs: 500,
      // each response takes 50 ms, so 5 would be outstanding at a time; only 2 are allowed
      send: () => sleep(50),
      maxInFlight: 2,
    });
    expect(result.scheduled).toBe(50);
    expect(result.completed).toBe(50);
    expect(result.maxInFlightHits).toBeGreaterThan(30);
    // Capacity is 40/s against 100/s offered: the backlog grows, so late requests wait far
    // longer than the 50 ms service time, and that wait is in their latency.
    expect(result.latency.summary().maxMs).toBeGreaterThan(500);
    expect(result.maxStartLagMs).toBeGreaterThan(400);
  });

  it('times a send that went out before its intended time from when it really left', async () => {
    // A frozen clock: three sends 0.5 ms apart are all due within the same millisecond, so the
    // driver sends them back to back at the first one's time, the later two early.
    let now = 1_000_000;
    const clock = { nowUs: () => now };
    const responses: (() => void)[] = [];
    const outcomes: SendOutcome[] = [];
    const running = runAtFixedRate({
      ratePerSec: 2_000,
      durationMs: 1.5,
      send: () => new Promise<void>((resolve) => responses.push(resolve)),
      maxInFlight: 10,
      onComplete: (o) => outcomes.push(o),
      clock,
    });
    await vi.waitFor(() => expect(responses).toHaveLength(3));
    // Every response arrives 10 ms after all three left.
    now += 10_000;
    responses.forEach((respond) => respond());
    const result = await running;

    expect(outcomes.map((o) => o.latencyUs)).toEqual([10_000, 10_000, 10_000]);
    expect(outcomes.map((o) => o.startLagUs)).toEqual([0, -500, -1_000]);
    expect(result.earlyStarts).toBe(2);
    expect(result.maxStartLeadMs).toBe(1);
    expect(result.latency.summary().minMs).toBeGreaterThanOrEqual(10);
  });

  it('counts failed sends as errors and still measures them', async () => {
    const result = await runAtFixedRate({
      ratePerSec: 100,
      durationMs: 200,
      send: (seq) => (seq % 2 === 0 ? Promise.reject(new Error('ECONNRESET')) : Promise.resolve()),
      maxInFlight: 10,
    });
    expect(result.scheduled).toBe(20);
    expect(result.errors).toBe(10);
    expect(result.latency.count).toBe(20);
  });
});
