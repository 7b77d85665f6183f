import { describe, expect, it } from 'vitest';
import type { JourneyEntry } from '../../contracts/journey.ts';
import {
  breakdownOf,
  createJourneyBreakdown,
  indexJourneys,
  journeyMetrics,
  stagesOf,
  type JourneyTimes,
} from './journey-stages.ts';

const times: JourneyTimes = {
  committedUs: 1_010,
  eventPublishedUs: 1_030,
  workerReceivedUs: 1_040,
  notificationPublishedUs: 1_100,
  notificationsReceivedUs: 1_120,
  fanout: { sse: [1_130, 1_230] },
};
const sum = (stages: readonly number[]) => stages.reduce((s, x) => s + x, 0);

describe('journey stages of one receipt', () => {
  it('cut the latency at each mark, so they add up to it exactly', () => {
    const stages = stagesOf(1_000, times, 'sse', 0, 1_140);
    // api, outbox, broker (event 10 + notification 20), worker, fanout, wire
    expect(stages).toEqual([10, 20, 30, 60, 10, 10]);
    expect(sum(stages ?? [])).toBe(140);
  });

  it('place a listener inside the fan-out loop by its order, never after its own receipt', () => {
    expect(stagesOf(1_000, times, 'sse', 1, 1_250)?.slice(4)).toEqual([110, 20]);
    expect(stagesOf(1_000, times, 'sse', 0.5, 1_190)?.slice(4)).toEqual([60, 10]);
    // Received before its estimated hand-over: the hand-over is its receipt, no negative wire.
    expect(stagesOf(1_000, times, 'sse', 1, 1_150)?.slice(4)).toEqual([30, 0]);
  });

  it('are unknown for a transport whose fan-out was not marked', () => {
    expect(stagesOf(1_000, times, 'socketio', 0, 1_140)).toBeUndefined();
  });
});

describe('journeys from the services marks', () => {
  const entries: JourneyEntry[] = [
    ['api.committed', 'w-1', 'student.created', 1_010],
    ['api.published', 'w-1', 'student.created', 1_030],
    ['worker.received', 'w-1', 'student.created', 1_040],
    // a redelivery: the first receipt counts
    ['worker.received', 'w-1', 'student.created', 1_500],
    ['worker.published', 'w-1', 'student.created', 1_100],
    ['notifications.received', 'w-1', 'student.created', 1_120],
    // two notifications processes: the earliest receipt and the widest loop
    ['notifications.received', 'w-1', 'student.created', 1_125],
    ['fanout.sse', 'w-1', 'student.created', 1_130, 1_200],
    ['fanout.sse', 'w-1', 'student.created', 1_140, 1_230],
    ['worker.published', 'w-1', 'student.cached', 1_300],
  ];

  it('join event marks by write and notification marks by write and type', () => {
    const lookup = indexJourneys(entries);
    expect(lookup({ type: 'student.created', correlationId: 'w-1' })).toEqual(times);
  });

  it('take, for a message published twice, the publish its first receipt came from', () => {
    const republished: JourneyEntry[] = [
      ...entries,
      // the confirm was lost to a broker cut; the relay published again after the worker had it
      ['api.published', 'w-1', 'student.created', 1_700],
      // and a first attempt of the notification that never arrived
      ['worker.published', 'w-1', 'student.created', 1_050],
    ];
    const times = indexJourneys(republished)({ type: 'student.created', correlationId: 'w-1' });
    expect(times?.eventPublishedUs).toBe(1_030);
    expect(times?.notificationPublishedUs).toBe(1_100);
  });

  it('leave a notification with a missing mark without a journey', () => {
    const lookup = indexJourneys(entries);
    expect(lookup({ type: 'student.cached', correlationId: 'w-1' })).toBeUndefined();
    expect(lookup({ type: 'student.created', correlationId: 'w-2' })).toBeUndefined();
  });
});

describe('a breakdown over many receipts', () => {
  const expected = [
    { type: 'student.created', correlationId: 'w-1', intendedSendUs: 1_000, journey: times },
    { type: 'student.cached', correlationId: 'w-1', intendedSendUs: 1_000 },
  ];
  const listeners = [
    [
      { type: 'student.created', correlationId: 'w-1', receivedAtUs: 1_140 },
      { type: 'student.created', correlationId: 'w-1', receivedAtUs: 1_900 },
      { type: 'student.cached', correlationId: 'w-1', receivedAtUs: 1_300 },
    ],
    [{ type: 'student.created', correlationId: 'w-1', receivedAtUs: 1_250 }],
  ];

  it('counts each listener first receipt of a notification with a journey, and its means add up', () => {
    const breakdown = breakdownOf(expected, listeners, 'sse');
    expect(breakdown.receipts).toBe(2);
    const metrics = journeyMetrics('journey', breakdown);
    const means = ['api', 'outbox', 'broker', 'worker', 'fanout', 'wire'].map(
      (s) => metrics[`journey.${s}.meanMs`] ?? NaN,
    );
    // receipts at 140 µs and 250 µs after the intended send: a mean of 195 µs
    expect(sum(means)).toBeCloseTo(0.195, 9);
    expect(metrics['journey.receipts']).toBe(2);
  });

  it('survives being sent between processes and merged', () => {
    const part = breakdownOf(expected, listeners, 'sse');
    const merged = createJourneyBreakdown();
    merged.merge(createJourneyBreakdown(part.encode()));
    merged.merge(createJourneyBreakdown(part.encode()));
    expect(merged.receipts).toBe(4);
    expect(merged.sumUs).toEqual(part.sumUs.map((us) => us * 2));
    expect(merged.histograms.wire.count).toBe(4);
  });
});
