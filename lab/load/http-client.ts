import http from 'node:http';
import { nowUs } from '../metrics/clock.ts';
import { headers as systemHeaders } from '../../contracts/http.ts';

export interface HttpRequestSpec {
  method?: string;
  /** Path and query, e.g. `/api/students/42`. */
  path: string;
  headers?: Record<string, string>;
  /** Serialised as JSON when an object. */
  body?: unknown;
  /** Default 30,000 ms. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names (node:http). */
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When the request was handed to the socket layer, epoch µs. */
  startedAtUs: number;
  /** Last byte of the body received, epoch µs. */
  finishedAtUs: number;
  /** `X-Deduplicated: true` on the response. */
  deduplicated: boolean;
}

export interface HttpClient {
  readonly baseUrl: string;
  request(spec: HttpRequestSpec): Promise<HttpResponse>;
  /** `request` + JSON.parse of the body (undefined when empty or not JSON). */
  json<T>(spec: HttpRequestSpec): Promise<HttpResponse & { data: T | undefined }>;
  close(): void;
}

export interface HttpClientOptions {
  baseUrl: string;
  /** Sockets kept per host; size it to the largest concurrent wave. Default 256. */
  maxSockets?: number;
}

/**
 * A keep-alive node:http client with a bounded socket pool. Used where the lab needs microsecond
 * timestamps per response (waves, fixed-rate writers), which autocannon does not give.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.maxSockets ?? 256,
    scheduling: 'fifo',
  });
  const base = new URL(options.baseUrl);

  const request = (spec: HttpRequestSpec): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const payload =
        spec.body === undefined
          ? undefined
          : typeof spec.body === 'string'
            ? spec.body
            : JSON.stringify(spec.body);
      const headers: Record<string, string> = { ...(spec.headers ?? {}) };
      if (payload !== undefined) {
        headers['content-type'] ??= 'application/json';
        headers['content-length'] = String(Buffer.byteLength(payload));
      }
      const startedAtUs = nowUs();
      const req = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: spec.method ?? 'GET',
          path: spec.path,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const dedupe = res.headers[systemHeaders.deduplicated];
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              startedAtUs,
              finishedAtUs: nowUs(),
              deduplicated: dedupe === 'true',
            });
          });
        },
      );
      req.setTimeout(spec.timeoutMs ?? 30_000, () =>
        req.destroy(new Error(`timeout after ${spec.timeoutMs ?? 30_000} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });

  return {
    baseUrl: options.baseUrl,
    request,
    async json<T>(spec: HttpRequestSpec) {
      const response = await request(spec);
      let data: T | undefined;
      try {
        data = response.body ? (JSON.parse(response.body) as T) : undefined;
      } catch {
        data = undefined;
      }
      return { ...response, data };
    },
    close() {
      agent.destroy();
    },
  };
}
