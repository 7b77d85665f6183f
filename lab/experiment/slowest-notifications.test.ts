import { describe, expect, it } from 'vitest';
import { slowestNotifications } from './standard-metrics.ts';

describe('the slowest notifications of a run', () => {
  const journey = {
    committedUs: 1_010_000,
    eventPublishedUs: 1_700_000,
    workerReceivedUs: 1_705_000,
    notificationPublishedUs: 1_720_000,
    notificationsReceivedUs: 1_722_000,
    fanout: { sse: [1_723_000, 1_724_000] as [number, number] },
  };
  const expected = [
    { type: 'student.created', correlationId: 'w-fast', intendedSendUs: 1_000_000 },
    { type: 'student.cached', correlationId: 'w-slow', intendedSendUs: 1_000_000, journey },
    { type: 'student.created', correlationId: 'w-lost', intendedSendUs: 1_000_000 },
  ];

  it('names the slowest first, with its journey and where to find its trace and logs', () => {
    const notes = slowestNotifications({ lastReceiptUs: [1_030_000, 1_725_000, 0] }, expected, 2);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain('student.cached of write w-slow reached its last listener after 725.0 ms');
    expect(notes[0]).toContain(
      'api 10.0 · outbox 690.0 · broker 7.0 · worker 15.0 · fanout 2.0 · wire 1.0 ms',
    );
    expect(notes[0]).toContain('conversation_id = "w-slow"');
    expect(notes[0]).toContain('correlationId="w-slow"');
    // no journey marks: the time alone; never reached: left out
    expect(notes[1]).toMatch(/w-fast reached its last listener after 30\.0 ms; its trace/);
  });
});
