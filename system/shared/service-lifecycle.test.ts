import { describe, expect, it } from 'vitest';
import { closeInOrder } from './service-lifecycle.ts';

describe('closeInOrder', () => {
  it('runs every step in order even when one fails, logs the failure, and runs only once', async () => {
    const ran: string[] = [];
    const failures: unknown[] = [];
    const close = closeInOrder(
      [
        { name: 'http', run: () => void ran.push('http') },
        { name: 'broken', run: () => Promise.reject(new Error('boom')) },
        { name: 'db', run: () => Promise.resolve(void ran.push('db')) },
      ],
      { error: (entry: unknown) => failures.push(entry) },
    );
    await Promise.all([close(), close()]);
    await close();
    expect(ran).toEqual(['http', 'db']);
    expect(failures).toMatchObject([{ step: 'broken' }]);
  });
});
