import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Counter } from 'prom-client';
import type { DedupeOutcome } from '../api-metrics.ts';
import { parseStudentId } from '../students/student-input.ts';
import { requestFingerprint } from './request-fingerprint.ts';
import type { CachedResponse, ResponseCache } from './response-cache.ts';

export type DedupeMode = 'off' | 'coalesce' | 'cache';

export interface DedupeOptions {
  /** Route label for metrics, e.g. `/api/students/:id`. */
  route: string;
  /** How long a successful response is replayed, in seconds (the seed's `[DeduplicateRequest(n)]`). */
  windowSec: number;
  mode: DedupeMode;
  cache: ResponseCache;
  /** Longest a follower waits for the leader, in milliseconds; then it runs the request itself. */
  followerWaitMs: number;
  counter: Counter<'route' | 'outcome'>;
}

/** What a leader hands its followers: a successful response, or nothing (they run it themselves). */
type ReplayableResponse = Omit<CachedResponse, 'expiresAt'>;
type LeaderResult = ReplayableResponse | undefined;

/** Express keeps the raw body here (json parser `verify`), so a PUT's body is part of its key. */
export interface RawBodyRequest extends Request {
  rawBody?: Buffer;
}

export const bodyHashOf = (req: RawBodyRequest): string =>
  req.rawBody && req.rawBody.length > 0 ? createHash('sha256').update(req.rawBody).digest('base64url') : '';

/** Writes a replayed response; the follower keeps its own correlation id. */
export function sendReplay(res: Response, response: ReplayableResponse): void {
  res.status(response.status);
  res.setHeader('content-type', response.contentType);
  if (response.location) res.setHeader('location', response.location);
  res.setHeader('x-deduplicated', 'true');
  res.end(response.body);
}

/**
 * Request de-duplication per route: identical requests in flight are coalesced onto one execution,
 * and (mode `cache`) the successful response is replayed for the window. Followers and cache hits
 * carry `X-Deduplicated: true`; the executing request never does. Only 2xx responses are shared
 * or cached: after a failed or cancelled leader, or a wait longer than `followerWaitMs`, each
 * follower runs the request itself and gets its own answer.
 */
export function createDedupeMiddleware(options: DedupeOptions): RequestHandler {
  const { route, mode, cache, followerWaitMs } = options;
  const windowMs = options.windowSec * 1000;
  const leaders = new Map<string, Promise<LeaderResult>>();
  const counted = (outcome: DedupeOutcome) => options.counter.labels({ route, outcome });
  const count = {
    executed: counted('executed'),
    coalesced: counted('coalesced'),
    cached: counted('cached'),
    bypass: counted('bypass'),
  };

  async function follow(leader: Promise<LeaderResult>, res: Response, next: NextFunction) {
    let wake: (value: undefined) => void = () => undefined;
    const timedOut = new Promise<undefined>((resolve) => (wake = resolve));
    const timer = setTimeout(() => wake(undefined), followerWaitMs);
    const result = await Promise.race([leader, timedOut]);
    clearTimeout(timer);
    // Not `req.destroyed`: a request whose body was read is destroyed too. The client may have left.
    if (res.writableEnded || res.destroyed) return;
    if (result) {
      count.coalesced.inc();
      return sendReplay(res, result);
    }
    count.executed.inc();
    next();
  }

  function lead(key: string, studentId: string | undefined, req: Request, res: Response, next: NextFunction) {
    const checkGeneration = req.method === 'GET';
    const generation = studentId ? cache.generation(studentId) : 0;
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...a: unknown[]) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => Response;
    res.write = function (chunk: unknown, ...rest: unknown[]) {
      if (chunk) chunks.push(Buffer.from(chunk as string));
      return write(chunk, ...rest);
    } as Response['write'];
    res.end = function (chunk?: unknown, ...rest: unknown[]) {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string));
      return end(chunk, ...rest);
    } as Response['end'];

    let settle: ((result: LeaderResult) => void) | undefined;
    const mine = new Promise<LeaderResult>((resolve) => (settle = resolve));
    leaders.set(key, mine);
    // 'close' follows 'finish': settle once, and never remove a newer leader of the same key.
    const finish = (result: LeaderResult) => {
      if (leaders.get(key) === mine) leaders.delete(key);
      settle?.(result);
      settle = undefined;
    };
    res.once('finish', () => {
      if (res.statusCode < 200 || res.statusCode >= 300) return finish(undefined);
      const location = res.getHeader('location');
      const response: ReplayableResponse = {
        status: res.statusCode,
        contentType: String(res.getHeader('content-type') ?? 'application/json'),
        location: typeof location === 'string' ? location : undefined,
        body: Buffer.concat(chunks),
        studentId,
      };
      const stale = checkGeneration && studentId !== undefined && cache.generation(studentId) !== generation;
      if (mode === 'cache' && windowMs > 0 && !stale) cache.set(key, response, windowMs);
      finish(response);
    });
    res.once('close', () => finish(undefined));
    count.executed.inc();
    next();
  }

  return (req: RawBodyRequest, res, next) => {
    if (mode === 'off') {
      count.bypass.inc();
      return next();
    }
    // The id as the route validated it, not the request text: `%33fa…`, upper case or an
    // absolute-form target name the same student, and a write must drop every one of them.
    const studentId = req.params.id === undefined ? undefined : parseStudentId(req.params.id);
    const key = requestFingerprint(
      req.method,
      req.originalUrl,
      bodyHashOf(req),
      req.headers.authorization ?? '',
      studentId === undefined ? undefined : `/api/students/${studentId}`,
    );
    const hit = mode === 'cache' ? cache.get(key) : undefined;
    if (hit) {
      count.cached.inc();
      return sendReplay(res, hit);
    }
    const leader = leaders.get(key);
    if (leader) return follow(leader, res, next);
    lead(key, studentId, req, res, next);
  };
}
