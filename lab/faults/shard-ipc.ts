import type { Worker } from 'node:cluster';

/** IPC between the sharded fault proxy's primary and its shards (node:cluster workers). */

/** Shard → primary, once its own Toxiproxy API listens. */
export interface ShardReady {
  type: 'shard-ready';
  url: string;
  pid: number;
}

/** Primary → shard. */
export interface ShardRequest {
  type: 'shard-sync' | 'shard-stats';
  id: number;
}

/** Shard → primary, the answer to a ShardRequest with the same id. */
export interface ShardReply {
  type: 'shard-reply';
  id: number;
  /** Open connections per proxy name (for 'shard-stats'). */
  connections?: Record<string, number>;
}

export interface ShardInfo {
  /** 1-based, in fork order; shard 1's answer is the one the primary returns. */
  shard: number;
  pid: number;
  /** The shard's own Toxiproxy API. */
  url: string;
}

export interface Shard extends ShardInfo {
  /**
   * Resolves once the primary has handled every IPC message the shard sent before answering,
   * node:cluster's own included (a worker's "close this listener" is one): after it, a proxy the
   * shard disabled is no longer served by the primary's shared listener.
   */
  sync(): Promise<void>;
  connections(): Promise<Record<string, number>>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

export const isShardReady = (message: unknown): message is ShardReady =>
  isObject(message) && message.type === 'shard-ready' && typeof message.url === 'string';

export const isShardRequest = (message: unknown): message is ShardRequest =>
  isObject(message) &&
  (message.type === 'shard-sync' || message.type === 'shard-stats') &&
  typeof message.id === 'number';

const isShardReply = (message: unknown): message is ShardReply =>
  isObject(message) && message.type === 'shard-reply' && typeof message.id === 'number';

/** Wraps a ready worker: request/reply over its IPC channel, each bounded by `timeoutMs`. */
export function createShard(worker: Worker, info: ShardInfo, timeoutMs = 10_000): Shard {
  let nextId = 1;
  const pending = new Map<number, (reply: ShardReply) => void>();
  worker.on('message', (message: unknown) => {
    if (isShardReply(message)) pending.get(message.id)?.(message);
  });

  const request = (type: ShardRequest['type']): Promise<ShardReply> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`shard ${info.shard} (pid ${info.pid}) did not answer ${type} in ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(reply);
      });
      // With a callback, a closed channel is reported here instead of as an 'error' event.
      worker.send({ type, id } satisfies ShardRequest, (error: Error | null) => {
        if (error === null) return;
        clearTimeout(timer);
        pending.delete(id);
        reject(new Error(`shard ${info.shard} (pid ${info.pid}): ${error.message}`));
      });
    });

  return {
    ...info,
    sync: async () => void (await request('shard-sync')),
    connections: async () => (await request('shard-stats')).connections ?? {},
  };
}
