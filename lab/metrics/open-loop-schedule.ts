import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from './clock.ts';
import { createLatencyHistogram, type LatencyHistogram } from './latency-histogram.ts';

export interface ScheduleOptions {
  /** Requests per second; must be > 0. */
  ratePerSec: number;
  /** Length of the schedule in milliseconds. */
  durationMs: number;
  /** First intended send time, in epoch microseconds. */
  startUs: number;
}

export interface ScheduledSend {
  /** 0-based sequence number. */
  seq: number;
  /** When the request SHOULD be sent, in epoch microseconds; latency is measured from here. */
  intendedAtUs: number;
}

/** Intended send times of a fixed-rate (open model) schedule: `floor(rate × duration)` sends, evenly spaced. */
export function* fixedRateSchedule(options: ScheduleOptions): Generator<ScheduledSend> {
  if (!(options.ratePerSec > 0)) throw new RangeError(`ratePerSec must be > 0, got ${options.ratePerSec}`);
  const intervalUs = 1_000_000 / options.ratePerSec;
  const total = Math.floor((options.ratePerSec * options.durationMs) / 1000);
  for (let seq = 0; seq < total; seq++) {
    yield { seq, intendedAtUs: options.startUs + Math.round(seq * intervalUs) };
  }
}

/** Outcome of one request, as seen by the driver. */
export interface SendOutcome extends ScheduledSend {
  /**
   * Completion − the earlier of the intended and the actual send time, in microseconds. A late
   * send keeps its wait (including any wait for a free slot); a send that went out early is timed
   * from when it really left, so it is never reported faster than it was.
   */
  latencyUs: number;
  /** Actual start − intended send time, in microseconds: positive when late, negative when early. */
  startLagUs: number;
  ok: boolean;
  error?: unknown;
}

export interface FixedRateOptions {
  ratePerSec: number;
  durationMs: number;
  /** Sends one request; its promise settles when the response (or error) arrives. */
  send: (seq: number, intendedAtUs: number) => Promise<void>;
  /** Most requests outstanding at once; when reached, the next send waits for a free slot. */
  maxInFlight: number;
  /** Called once per request when it settles (e.g. to feed a phase recorder). */
  onComplete?: (outcome: SendOutcome) => void;
  clock?: Clock;
}

export interface FixedRateResult {
  scheduled: number;
  completed: number;
  errors: number;
  /** Sends that found `maxInFlight` requests outstanding and had to wait: the generator could not keep up. */
  maxInFlightHits: number;
  /** Largest actual-start − intended-start gap, in milliseconds. */
  maxStartLagMs: number;
  /** Sends that went out before their intended time (timers fire at whole milliseconds). */
  earlyStarts: number;
  /** Largest intended-start − actual-start gap of an early send, in milliseconds. */
  maxStartLeadMs: number;
  /** Latency of every request (successes and errors), from min(intended, actual) send time (µs). */
  latency: LatencyHistogram;
}

/**
 * Drives `send` at a fixed rate regardless of how slowly responses come back (open model).
 *
 * Each request's latency runs from its INTENDED send time, so when the server stalls, requests
 * scheduled during the stall show up as high latency instead of as fewer samples (no coordinated
 * omission). Timers fire at whole milliseconds and may fire early, so a send can leave before its
 * intended time: that one is timed from its actual start (counted in `earlyStarts`). `maxInFlight` bounds memory/sockets; hitting it is counted, and because the waiting
 * time is part of the measured latency the numbers stay honest. Resolves when every request has settled.
 */
export async function runAtFixedRate(options: FixedRateOptions): Promise<FixedRateResult> {
  const clock = options.clock ?? systemClock;
  const latency = createLatencyHistogram();
  const result = {
    scheduled: 0,
    completed: 0,
    errors: 0,
    maxInFlightHits: 0,
    maxStartLagMs: 0,
    earlyStarts: 0,
    maxStartLeadMs: 0,
    latency,
  };
  const inFlight = new Set<Promise<void>>();
  // A throwing onComplete must not break the schedule; its first error is rethrown at the end.
  let callbackError: { error: unknown } | undefined;

  const launch = (scheduled: ScheduledSend): void => {
    const startedUs = clock.nowUs();
    const startLagUs = startedUs - scheduled.intendedAtUs;
    if (startLagUs < 0) {
      result.earlyStarts += 1;
      result.maxStartLeadMs = Math.max(result.maxStartLeadMs, -startLagUs / 1000);
    } else {
      result.maxStartLagMs = Math.max(result.maxStartLagMs, startLagUs / 1000);
    }
    const timedFromUs = Math.min(scheduled.intendedAtUs, startedUs);
    const settle = (ok: boolean, error?: unknown): void => {
      const latencyUs = clock.nowUs() - timedFromUs;
      latency.record(latencyUs);
      result.completed += 1;
      if (!ok) result.errors += 1;
      try {
        options.onComplete?.({ ...scheduled, latencyUs, startLagUs, ok, ...(ok ? {} : { error }) });
      } catch (thrown) {
        callbackError ??= { error: thrown };
      }
    };
    const p: Promise<void> = Promise.resolve()
      .then(() => options.send(scheduled.seq, scheduled.intendedAtUs))
      .then(
        () => settle(true),
        (error: unknown) => settle(false, error),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  for (const scheduled of fixedRateSchedule({ ...options, startUs: clock.nowUs() })) {
    result.scheduled += 1;
    const waitMs = (scheduled.intendedAtUs - clock.nowUs()) / 1000;
    // Timers fire at ms granularity; sends already due go out back-to-back in the same tick.
    if (waitMs >= 1) await sleep(waitMs);
    if (inFlight.size >= options.maxInFlight) {
      result.maxInFlightHits += 1;
      while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
    }
    launch(scheduled);
  }
  await Promise.all(inFlight);
  if (callbackError) throw callbackError.error;
  return result;
}
