import { describe, expect, it } from 'vitest';
import { createRecentIds } from './amqp-notification-consumer.ts';

describe('recent message ids', () => {
  it('reports a repeat within the window and forgets the oldest beyond its capacity', () => {
    const recent = createRecentIds(2);
    expect(recent.seen('a')).toBe(false);
    expect(recent.seen('a')).toBe(true);
    expect(recent.seen('b')).toBe(false);
    expect(recent.seen('c')).toBe(false);
    expect(recent.seen('a')).toBe(false);
    expect(recent.seen('c')).toBe(true);
  });
});
