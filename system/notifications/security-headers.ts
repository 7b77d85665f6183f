import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/** nosniff and friends on every answer; no CSP: the test pages run inline module scripts. */
export const securityHeaders = helmet({ contentSecurityPolicy: false });

/**
 * The headers `securityHeaders` sets, read once by running it on a stub response: a route served
 * ahead of express sends the same ones without running the middleware per request.
 */
export function securityHeaderValues(): ReadonlyArray<[string, string]> {
  const headers: [string, string][] = [];
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let called = false;
  securityHeaders({} as IncomingMessage, res as unknown as ServerResponse, () => (called = true));
  if (!called) throw new Error('security headers middleware did not finish synchronously');
  return headers;
}
