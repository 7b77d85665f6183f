import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createGracefulShutdown } from './shutdown.ts';

const logger = pino({ level: 'silent' });

describe('graceful shutdown', () => {
  it('runs every step in reverse order even when one fails, and only once', async () => {
    const ran: string[] = [];
    const shutdown = createGracefulShutdown({ logger, timeoutMs: 1000 });
    shutdown.add({ name: 'db', run: () => void ran.push('db') });
    shutdown.add({ name: 'broken', run: () => Promise.reject(new Error('boom')) });
    shutdown.add({ name: 'http', run: () => void ran.push('http') });
    await Promise.all([shutdown.shutdown('test'), shutdown.shutdown('again')]);
    expect(ran).toEqual(['http', 'db']);
  });

  it('gives up on a hanging step after the budget', async () => {
    const shutdown = createGracefulShutdown({ logger, timeoutMs: 50 });
    shutdown.add({ name: 'hang', run: () => new Promise(() => undefined) });
    const started = Date.now();
    await shutdown.shutdown('test');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
