import { describe, expect, it } from 'vitest';
import { gapFrame, notificationFrame, openingFrame, parseTypes } from './sse-frames.ts';

describe('SSE frames', () => {
  it('opens with the retry hint, then the connected event', () => {
    expect(openingFrame(2000, 'c1')).toBe('retry: 2000\n\nevent: connected\ndata: {"clientId":"c1"}\n\n');
  });

  it('frames a notification with its message id and type on one data line', () => {
    const json = JSON.stringify({ note: 'line one\nline two' });
    const frame = notificationFrame('m1', 'student.created', json);
    expect(frame).toBe(`id: m1\nevent: student.created\ndata: ${json}\n\n`);
    expect(frame.split('\n')).toHaveLength(5);
  });

  it('sends a gap without an id, so the client keeps its last event id', () => {
    expect(gapFrame({ lastEventId: 'm1', reason: 'trimmed' })).toBe(
      'event: gap\ndata: {"lastEventId":"m1","reason":"trimmed"}\n\n',
    );
  });

  it('reads ?types= as a comma list, repeatable, and means all types when empty', () => {
    expect(parseTypes(['student.created, student.updated', 'student.deleted'])).toEqual(
      new Set(['student.created', 'student.updated', 'student.deleted']),
    );
    expect(parseTypes([])).toBeUndefined();
    expect(parseTypes([' , '])).toBeUndefined();
  });
});
