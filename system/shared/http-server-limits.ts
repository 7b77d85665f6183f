import { STATUS_CODES, type Server, type ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { env } from './config.ts';
import { AppError, toProblem, type ErrorCode } from './errors.ts';

const withWhy = (what: string, why: string | undefined): string => (why ? `${what} ${why}` : what);

/**
 * Settings every HTTP service shares (spread into its zod schema). Node's defaults wait 60 s for
 * headers and 300 s for a request and accept connections without limit: a few slow clients could
 * hold sockets and memory for minutes. `why` says why a service's own default is what it is; it
 * ends that variable's description.
 */
export const httpServerSettings = (defaults: {
  maxConnections: number;
  keepAliveTimeoutMs: number;
  why?: { maxConnections?: string; keepAliveTimeoutMs?: string };
}) => ({
  HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('Interface to listen on: loopback unless widened (`0.0.0.0` in containers).'),
  HTTP_HEADERS_TIMEOUT_MS: env
    .int(10_000, 100, 600_000)
    .describe("Longest wait for a request's headers, in milliseconds."),
  HTTP_REQUEST_TIMEOUT_MS: env
    .int(30_000, 100, 3_600_000)
    .describe(
      'Longest wait for a whole request (headers and body) to arrive, in milliseconds. Node stops ' +
        'counting once the request is complete, so a long response (SSE, Socket.IO) is not cut.',
    ),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: env
    .int(defaults.keepAliveTimeoutMs, 100, 600_000)
    .describe(
      withWhy(
        'An idle keep-alive connection is closed after this many milliseconds.',
        defaults.why?.keepAliveTimeoutMs,
      ),
    ),
  HTTP_MAX_CONNECTIONS: env
    .int(defaults.maxConnections, 1, 1_000_000)
    .describe(withWhy('Connections beyond this are refused at accept.', defaults.why?.maxConnections)),
});

export interface HttpServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const httpServerLimitsOf = (config: {
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number;
  HTTP_MAX_CONNECTIONS: number;
}): HttpServerLimits => ({
  headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
  requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
  maxConnections: config.HTTP_MAX_CONNECTIONS,
});

/** The defaults of {@link httpServerSettings}, for servers built without a configuration (tests). */
export const defaultHttpServerLimits: HttpServerLimits = httpServerLimitsOf(
  z.object(httpServerSettings({ maxConnections: 10_000, keepAliveTimeoutMs: 5_000 })).parse({}),
);

/**
 * `http.createServer` options: the timeouts above are checked every
 * `connectionsCheckingInterval` (Node's default 30 s would stretch a 10 s limit to 40 s).
 */
export const httpServerOptions = (limits: HttpServerLimits): ServerOptions => ({
  headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
  requestTimeout: limits.requestTimeoutMs,
  keepAliveTimeout: limits.keepAliveTimeoutMs,
  connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
});

/** Node's parser errors and the problem each becomes. */
const clientErrorCodes: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'headers_too_large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
};

/**
 * Bounds connections and answers requests Node's parser rejects (bad request lines, bad headers,
 * too-large headers, requests too slow to arrive) with a problem document instead of Node's bare
 * `400 Bad Request` without a body.
 */
export function applyHttpServerLimits(server: Server, limits: HttpServerLimits): void {
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
    answerOnSocket(socket, new AppError(clientErrorCodes[error.code ?? ''] ?? 'malformed_request'));
  });
  // We are no proxy: without a listener Node would drop a CONNECT without a word.
  server.on('connect', (_req, socket: Duplex) => {
    socket.on('error', () => undefined);
    answerOnSocket(socket, new AppError('method_not_allowed', { detail: 'CONNECT is not supported' }));
  });
}

function answerOnSocket(socket: Duplex, problem: AppError): void {
  const body = JSON.stringify(toProblem(problem));
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Bad Request'}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      'X-Content-Type-Options: nosniff\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
