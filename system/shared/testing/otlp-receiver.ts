import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { closeHttp, listenHttp } from '../http-lifecycle.ts';

/** One span as the receiver decoded it. */
export interface ReceivedSpan {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** The API's `SpanKind` (INTERNAL 0 … CONSUMER 4): OTLP's value minus one, unspecified as INTERNAL. */
  kind: number;
  /** `service.name` of the span's resource; empty when the resource has none. */
  service: string;
  /** Epoch microseconds. */
  startUs: number;
  /** Epoch microseconds. */
  endUs: number;
  /** Scalar attributes; arrays and maps are left out. */
  attributes: Record<string, string | number | boolean>;
  links: { traceId: string; spanId: string }[];
}

export interface OtlpReceiver {
  /** Base URL (`http://127.0.0.1:<port>`), the value of `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  url: string;
  /** Every span received so far, in arrival order. */
  spans(): ReceivedSpan[];
  /** Resolves with every span received once `predicate` holds for them; rejects after `timeoutMs`. */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs: number): Promise<ReceivedSpan[]>;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface OtlpReceiverOptions {
  /** Largest request body accepted, decompressed, in bytes (default 32 MiB); larger ones get 413. */
  maxBodyBytes?: number;
}

/**
 * Test and lab OTLP/HTTP trace receiver: `POST /v1/traces` in OTLP/JSON, the encoding of
 * @opentelemetry/exporter-trace-otlp-http (ids as hex strings, times as decimal nanosecond
 * strings). Ids in base64 and times as numbers, which other JSON encoders send, are read too;
 * protobuf bodies are refused with 415. Answers `{}`, the empty export response.
 */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const received: ReceivedSpan[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    handle(req, maxBodyBytes).then(
      (spans) => {
        received.push(...spans);
        reply(res, 200, {});
        waiters.forEach((check) => check());
      },
      (error: unknown) => {
        const status = error instanceof ReceiverError ? error.status : 500;
        // An oversized body is left unread: closing the connection discards the rest of it.
        if (status === 413) res.setHeader('connection', 'close');
        reply(res, status, { message: error instanceof Error ? error.message : String(error) });
      },
    );
  });
  const port = await listenHttp(server, { port: 0, host: '127.0.0.1' });
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...received],
    waitFor: (predicate, timeoutMs) =>
      new Promise<ReceivedSpan[]>((resolve, reject) => {
        const check = () => {
          let done: boolean;
          try {
            done = predicate([...received]);
          } catch (error) {
            // A throwing predicate fails its own wait, not the request that delivered the spans.
            finish();
            return reject(error instanceof Error ? error : new Error(String(error)));
          }
          if (!done) return;
          finish();
          resolve([...received]);
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(`timed out after ${timeoutMs} ms waiting for spans (${received.length} received)`),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: () => (closing ??= closeHttp(server, 1_000)),
  };
}

/** A request the receiver refuses, with the HTTP status it answers. */
class ReceiverError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ReceiverError';
    this.status = status;
  }
}

function reply(res: http.ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function handle(req: http.IncomingMessage, maxBodyBytes: number): Promise<ReceivedSpan[]> {
  const path = new URL(req.url ?? '/', 'http://receiver').pathname;
  if (path !== '/v1/traces') throw new ReceiverError(404, `no route ${path}; traces go to /v1/traces`);
  if (req.method !== 'POST') throw new ReceiverError(405, 'POST only');
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ReceiverError(
      415,
      `${type || 'no content type'}: this receiver reads OTLP/JSON only (OTEL_EXPORTER_OTLP_PROTOCOL=http/json)`,
    );
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) throw new ReceiverError(413, `body over ${maxBodyBytes} bytes`);
  const body = await readBody(req, maxBodyBytes);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ReceiverError(400, 'body is not JSON');
  }
  const parsed = exportRequest.safeParse(json);
  if (!parsed.success) throw new ReceiverError(400, `not an OTLP trace export: ${parsed.error.message}`);
  return toReceivedSpans(parsed.data);
}

/** The body as text, gunzipped when the exporter compresses (OTEL_EXPORTER_OTLP_COMPRESSION=gzip). */
async function readBody(req: http.IncomingMessage, maxBodyBytes: number): Promise<string> {
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) return void chunks.push(chunk);
      // Stop reading without destroying the socket, so the 413 still reaches the client.
      req.off('data', onData).pause();
      reject(new ReceiverError(413, `body over ${maxBodyBytes} bytes`));
    };
    req
      .on('data', onData)
      .once('end', () => resolve(Buffer.concat(chunks)))
      .once('error', reject);
  });
  if (req.headers['content-encoding'] !== 'gzip') return raw.toString('utf8');
  try {
    return gunzipSync(raw, { maxOutputLength: maxBodyBytes }).toString('utf8');
  } catch {
    throw new ReceiverError(413, `gzip body invalid or over ${maxBodyBytes} bytes decompressed`);
  }
}

const anyValue = z.object({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  // int64 is a number from this exporter and a decimal string from encoders that follow proto3 JSON.
  intValue: z.union([z.number(), z.string()]).optional(),
  doubleValue: z.union([z.number(), z.string()]).optional(),
});
const keyValues = z.array(z.object({ key: z.string(), value: anyValue.optional() })).optional();
const time = z.union([z.string().regex(/^\d+$/), z.number().nonnegative()]);
const span = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.number().int().optional(),
  startTimeUnixNano: time,
  endTimeUnixNano: time,
  attributes: keyValues,
  links: z.array(z.object({ traceId: z.string(), spanId: z.string() })).optional(),
});
const exportRequest = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: keyValues }).optional(),
        scopeSpans: z.array(z.object({ spans: z.array(span).optional() })).optional(),
      }),
    )
    .optional(),
});

function toReceivedSpans(request: z.infer<typeof exportRequest>): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap(({ resource, scopeSpans }) => {
    const serviceName = attributesOf(resource?.attributes)['service.name'];
    const service = typeof serviceName === 'string' ? serviceName : '';
    return (scopeSpans ?? []).flatMap(({ spans }) =>
      (spans ?? []).map((s): ReceivedSpan => ({
        traceId: idHex(s.traceId, 16),
        spanId: idHex(s.spanId, 8),
        ...(s.parentSpanId ? { parentSpanId: idHex(s.parentSpanId, 8) } : {}),
        name: s.name,
        kind: Math.max(0, (s.kind ?? 0) - 1),
        service,
        startUs: nanosToMicros(s.startTimeUnixNano),
        endUs: nanosToMicros(s.endTimeUnixNano),
        attributes: attributesOf(s.attributes),
        links: (s.links ?? []).map((l) => ({ traceId: idHex(l.traceId, 16), spanId: idHex(l.spanId, 8) })),
      })),
    );
  });
}

/** OTLP/JSON ids are hex; proto3 JSON, which some encoders follow instead, writes bytes as base64. */
function idHex(value: string, bytes: 16 | 8): string {
  if (value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length === bytes && decoded.toString('base64') === value) return decoded.toString('hex');
  throw new ReceiverError(400, `id ${JSON.stringify(value)} is neither ${bytes * 2} hex digits nor base64`);
}

/** Nanosecond strings exceed 2^53, hence BigInt. */
const nanosToMicros = (value: string | number): number =>
  typeof value === 'number' ? Math.floor(value / 1_000) : Number(BigInt(value) / 1_000n);

function attributesOf(list: z.infer<typeof keyValues>): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    if (value?.stringValue !== undefined) result[key] = value.stringValue;
    else if (value?.boolValue !== undefined) result[key] = value.boolValue;
    else if (value?.intValue !== undefined) result[key] = Number(value.intValue);
    else if (value?.doubleValue !== undefined) result[key] = Number(value.doubleValue);
  }
  return result;
}
