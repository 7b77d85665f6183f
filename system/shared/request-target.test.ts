import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { acceptRequestTarget } from './request-target.ts';

function exchange(url: string) {
  const req = { url, headers: {} } as IncomingMessage;
  const written: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
  const res = {
    writeHead(status: number, headers: Record<string, unknown>) {
      written.status = status;
      written.headers = headers;
    },
    end(body: string) {
      written.body = body;
    },
  } as unknown as ServerResponse;
  return { accepted: acceptRequestTarget(req, res), req, written };
}

describe('acceptRequestTarget', () => {
  it('passes origin-form targets through unchanged', () => {
    const { accepted, req } = exchange('/api/students?limit=5');
    expect(accepted).toBe(true);
    expect(req.url).toBe('/api/students?limit=5');
  });

  it('rewrites an absolute-form target to its path and query', () => {
    const { accepted, req } = exchange('http://h/api/students/ABC?x=1');
    expect(accepted).toBe(true);
    expect(req.url).toBe('/api/students/ABC?x=1');
  });

  it('answers unparseable targets with a 400 problem document', () => {
    for (const target of [
      'http://[::1/api/students',
      'http://x:99999/api/notifications/stream',
      '*',
      'ftp://x/y',
      '//evil/x',
    ]) {
      const { accepted, written } = exchange(target);
      expect(accepted, target).toBe(false);
      expect(written.status).toBe(400);
      expect(written.headers?.['content-type']).toBe('application/problem+json');
      expect(JSON.parse(written.body ?? '{}')).toMatchObject({ code: 'malformed_request_target' });
    }
  });
});
