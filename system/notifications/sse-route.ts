import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OriginPolicy } from '../shared/origin-policy.ts';
import { routes } from '../../contracts/http.ts';
import { securityHeaderValues } from './security-headers.ts';
import type { SseHub } from './sse.ts';

export const ssePaths: readonly string[] = [routes.notificationsStream, routes.notificationsStreamAlias];

/**
 * The stream route served ahead of express: a stream lives as long as its connection, and each
 * request express handled kept its router state, middleware closures and augmented request and
 * response alive with it (about twice the memory of the stream itself). Only the plain case is
 * taken here (a GET of the exact path from an allowed origin, with the same headers express would
 * send); everything else (HEAD, other methods, refused origins, other spellings of the path) goes
 * on to express, which answers it as before. Returns true when it took the request.
 */
export function createSseRoute(deps: { sse: SseHub; origins: OriginPolicy }) {
  const headers = securityHeaderValues().flat();
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET') return false;
    const target = req.url ?? '';
    const queryAt = target.indexOf('?');
    if (!ssePaths.includes(queryAt < 0 ? target : target.slice(0, queryAt))) return false;
    const { origin, host } = req.headers;
    if (!deps.origins.allows(origin, host)) return false;
    const allowed = deps.origins.corsOrigin(origin, host);
    deps.sse.handle(req, res, [
      ...headers,
      'vary',
      'Origin',
      ...(allowed ? ['access-control-allow-origin', allowed] : []),
    ]);
    return true;
  };
}
