import type { Redis } from 'ioredis';
import { countCost, type CauseCounter } from './cost-attribution.ts';

/**
 * Counts every command the client sends, under the cause of the code that sent it
 * (cost-attribution.ts). Every command ioredis sends, pipelined and MULTI ones included, passes
 * through `sendCommand`; a Lua script is one command (EVALSHA, plus an EVAL the first time the
 * server has not seen it).
 */
export function countCommands(redis: Redis, counter: CauseCounter): Redis {
  const send = redis.sendCommand.bind(redis);
  // A command can pass through sendCommand again (offline queue flush, resend after a
  // reconnect): it is counted once, when first sent.
  const counted = new WeakSet<object>();
  redis.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    const [command] = args;
    if (!counted.has(command)) {
      counted.add(command);
      countCost(counter);
    }
    return send(...args);
  };
  return redis;
}
