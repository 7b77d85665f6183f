import { describe, expect, it } from 'vitest';
import { createJourneyLog, disabledJourneyLog } from './journey-log.ts';

describe('journey log', () => {
  it('hands out what was marked after a cursor, oldest first', () => {
    const log = createJourneyLog(10);
    log.mark('api.committed', 'c-1', 'student.created', 100);
    log.mark('api.published', 'c-1', 'student.created', 150);
    const first = log.read(0);
    expect(first.entries).toEqual([
      ['api.committed', 'c-1', 'student.created', 100],
      ['api.published', 'c-1', 'student.created', 150],
    ]);
    log.mark('fanout.sse', 'c-1', 'student.cached', 300, 340);
    expect(log.read(first.next).entries).toEqual([['fanout.sse', 'c-1', 'student.cached', 300, 340]]);
  });

  it('keeps only the newest entries and counts the ones overwritten before they were read', () => {
    const log = createJourneyLog(3);
    for (let i = 0; i < 5; i++) log.mark('worker.received', `c-${i}`, 'student.created', i);
    const page = log.read(0);
    expect(page.entries.map((e) => e[1])).toEqual(['c-2', 'c-3', 'c-4']);
    expect(page.lost).toBe(2);
    expect(page.next).toBe(5);
    log.mark('worker.received', 'c-5', 'student.created', 5);
    expect(log.read(page.next)).toEqual({
      next: 6,
      lost: 0,
      entries: [['worker.received', 'c-5', 'student.created', 5]],
    });
  });

  it('records nothing when off', () => {
    disabledJourneyLog.mark('api.committed', 'c-1', 'student.created');
    expect(disabledJourneyLog.read(0).entries).toEqual([]);
    expect(createJourneyLog(0)).toBe(disabledJourneyLog);
  });
});
