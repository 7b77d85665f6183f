import { createHash } from 'node:crypto';

/**
 * The de-duplication fingerprint: method + route path + sorted query + body hash +
 * caller identity. Computed from the raw request line so the raw `node:http` fast path and the
 * express middleware produce the same key without express's help. `canonicalPath` replaces the
 * path when the caller has already validated it (the express middleware passes the route's path
 * with the parsed id, so `%33fa…` and `3fa…` are one key).
 *
 * The key is a sha256 of that text (43 characters): the query and `Authorization` are the
 * client's to size, and a Map keyed by the raw text let 1,000 GETs with 14 KB queries hold 59 MB.
 */
export function requestFingerprint(
  method: string,
  rawUrl: string,
  bodyHash: string,
  authorization: string,
  validatedPath?: string,
): string {
  const q = rawUrl.indexOf('?');
  const path = validatedPath ?? canonicalPath(q < 0 ? rawUrl : rawUrl.slice(0, q));
  const query = q < 0 ? '' : sortedQuery(rawUrl.slice(q + 1));
  return createHash('sha256')
    .update(`${method}\n${path}\n${query}\n${bodyHash}\n${authorization}`)
    .digest('base64url');
}

/**
 * Express matches routes case-insensitively and without a trailing slash, and `/api/student/…` is
 * an alias of `/api/students/…`: all spellings of one resource share one key.
 */
export function canonicalPath(path: string): string {
  let p = path.toLowerCase();
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  if (p === '/api/student' || p.startsWith('/api/student/'))
    p = `/api/students${p.slice('/api/student'.length)}`;
  return p;
}

export function sortedQuery(query: string): string {
  if (query === '') return '';
  const params = new URLSearchParams(query);
  params.sort();
  return params.toString();
}

const studentPath = /^\/api\/students\/([0-9a-f-]{36})$/;

/** The student a GET/PUT fingerprint is about, so a write can drop its cached responses. */
export function studentIdOfPath(rawUrl: string): string | undefined {
  const q = rawUrl.indexOf('?');
  return studentPath.exec(canonicalPath(q < 0 ? rawUrl : rawUrl.slice(0, q)))?.[1];
}
