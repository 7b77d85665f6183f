import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { acceptCorrelationId, runWithContext } from './correlation.ts';
import { createLogger } from './logger.ts';

function captureLines() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('writes JSON lines carrying the service and the correlation id of the current context', async () => {
    const { lines, destination } = captureLines();
    const logger = createLogger({ service: 'api', destination });
    await runWithContext({ correlationId: 'corr-42' }, async () => {
      await new Promise((r) => setImmediate(r));
      logger.info({ studentId: 's1' }, 'student created');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({
      service: 'api',
      level: 'info',
      correlationId: 'corr-42',
      studentId: 's1',
    });
    expect(lines[1]).not.toHaveProperty('correlationId');
  });
});

describe('acceptCorrelationId', () => {
  it('keeps a sane caller-supplied id', () => {
    expect(acceptCorrelationId('load-7:abc')).toBe('load-7:abc');
  });

  it('replaces a missing, oversized or hostile id with a fresh one', () => {
    for (const bad of [undefined, '', 'x'.repeat(500), 'a\nb', '<script>']) {
      expect(acceptCorrelationId(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
