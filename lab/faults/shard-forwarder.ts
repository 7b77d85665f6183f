import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolveListenPorts, type PortPicker } from './listen-ports.ts';
import type { ToxiproxyLogger } from './logger.ts';
import type { Shard } from './shard-ipc.ts';

export interface ForwardRequest {
  method: string;
  /** Path and query, e.g. /proxies/redis/toxics?x=1. */
  path: string;
  contentType?: string;
  userAgent?: string;
  body: Buffer;
}

export interface ForwardReply {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

export interface ShardForwarderDeps {
  shards: readonly Shard[];
  logger: ToxiproxyLogger;
  pickPorts: PortPicker;
  /** Per shard request; a shard that takes longer counts as failed (502). Default 30 s. */
  timeoutMs?: number;
}

/** Same limit as a shard's API: request bodies are small JSON documents. */
const MAX_BODY_BYTES = 1024 * 1024;

const jsonReply = (status: number, body: unknown): ForwardReply => ({
  status,
  contentType: 'application/json',
  body: Buffer.from(`${JSON.stringify(body)}\n`),
});

async function sendToShard(shard: Shard, request: ForwardRequest, timeoutMs: number): Promise<ForwardReply> {
  const headers: Record<string, string> = {};
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  // Forwarded so the shards keep refusing browsers (Toxiproxy's CSRF guard).
  if (request.userAgent !== undefined) headers['user-agent'] = request.userAgent;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body.length > 0;
  try {
    const response = await fetch(`${shard.url}${request.path}`, {
      method: request.method,
      headers,
      body: hasBody ? new Uint8Array(request.body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, contentType: response.headers.get('content-type') ?? undefined, body };
  } catch (error) {
    const message = `shard ${shard.shard} (${shard.url}) did not answer: ${(error as Error).message}`;
    return jsonReply(502, { error: message, status: 502 });
  }
}

/**
 * The Toxiproxy API of a sharded fault proxy: every request goes to every shard at once, and the
 * answer is shard 1's, or the first non-2xx one when the shards disagree on the status.
 */
export function createShardForwarder(deps: ShardForwarderDeps) {
  const { shards, logger, pickPorts, timeoutMs = 30_000 } = deps;

  const forward = async (request: ForwardRequest): Promise<ForwardReply> => {
    const pathname = new URL(request.path, 'http://toxiproxy').pathname;
    const body = await resolveListenPorts(request.method, pathname, request.body, pickPorts);
    const replies = await Promise.all(
      shards.map((shard) => sendToShard(shard, { ...request, body }, timeoutMs)),
    );
    // A shard closes a listener by telling the primary over IPC; wait until that has been handled.
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      await Promise.all(shards.map((shard) => shard.sync())).catch((error: Error) =>
        logger.warn({ err: error.message }, 'shard sync failed'),
      );
    }
    const statuses = replies.map((reply) => reply.status);
    if (statuses.every((status) => status === statuses[0])) return replies[0]!;
    logger.warn({ method: request.method, path: request.path, statuses }, 'shards disagree');
    return replies.find((reply) => reply.status < 200 || reply.status > 299)!;
  };

  const describeShards = async (): Promise<ForwardReply> => {
    const list = await Promise.all(
      shards.map(async (s) => ({
        shard: s.shard,
        pid: s.pid,
        url: s.url,
        connections: await s.connections(),
      })),
    );
    return jsonReply(200, { shards: list });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    let reply: ForwardReply;
    try {
      const method = request.method ?? 'GET';
      const path = request.url ?? '/';
      const body = await readBody(request);
      reply =
        body === undefined
          ? jsonReply(400, { error: 'bad request body: body too large', status: 400 })
          : method === 'GET' && new URL(path, 'http://toxiproxy').pathname === '/shards'
            ? await describeShards()
            : await forward({
                method,
                path,
                contentType: request.headers['content-type'],
                userAgent: request.headers['user-agent'],
                body,
              });
    } catch (error) {
      logger.warn({ err: String(error) }, 'unexpected error in the sharded API');
      reply = jsonReply(500, { error: `internal error: ${String(error)}`, status: 500 });
    }
    const headers = reply.contentType === undefined ? {} : { 'Content-Type': reply.contentType };
    response.writeHead(reply.status, headers).end(reply.body);
  };

  return { forward, handle };
}

/** The whole body, or undefined when it is larger than a shard would accept. */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
