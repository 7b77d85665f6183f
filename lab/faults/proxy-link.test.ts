import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProxyLink } from './proxy-link.ts';

afterEach(() => void vi.useRealTimers());

describe('proxy link', () => {
  it('closes the client when the upstream has not accepted within connectTimeoutMs', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const client = new net.Socket();
    // Never connects: stands in for an upstream whose SYNs go unanswered.
    const blackHole = new net.Socket();
    const errors: string[] = [];
    createProxyLink({
      client,
      upstream: { host: '127.0.0.1', port: 9 },
      toxics: [],
      random: () => 0.5,
      now: () => 0,
      connectTimeoutMs: 10_000,
      onClosed: () => undefined,
      onError: (error) => void errors.push(error.message),
      connect: () => blackHole,
    });
    vi.advanceTimersByTime(9_999);
    expect(client.destroyed).toBe(false);
    vi.advanceTimersByTime(1);
    expect([client.destroyed, blackHole.destroyed]).toEqual([true, true]);
    expect(errors).toEqual(['upstream did not accept within 10000 ms']);
  });
});
