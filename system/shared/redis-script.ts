import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type RedisScriptArg = string | number;

/** Runs one Lua script with its keys then its arguments. */
export type RedisScript = (redis: Redis, keys: RedisScriptArg[], args: RedisScriptArg[]) => Promise<unknown>;

/**
 * A Lua script sent by its SHA1 (`EVALSHA`): the script text, which can be longer than the data it
 * works on, goes over the wire only when Redis does not hold it yet (first use after a Redis
 * restart or `SCRIPT FLUSH`), and then once.
 */
export function redisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
