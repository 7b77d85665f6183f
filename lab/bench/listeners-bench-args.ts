import { parseArgs } from 'node:util';
import { DEFAULT_LIBRARY_SHARE } from '../load/listener-fleet-plan.ts';

export interface ListenersBenchArgs {
  listeners: number;
  ratePerSec: number;
  durationSec: number;
  /** Listener processes. */
  workers: number;
  /** Notifications processes; listeners are spread over them directly. */
  processes: number;
  /** New connections per second over the whole fleet. */
  connectRatePerSec: number;
  /** Share (0..1) of each transport's listeners on the library clients; the rest are lean. */
  libraryShare: number;
  out: string;
  amqpUrl: string;
  redisUrl: string;
}

/**
 * `--listeners --rate --duration --workers --processes --connect-rate --library-share --out`; throws listing
 * every bad value.
 */
export function parseListenersBenchArgs(
  argv: string[],
  urls: { amqpUrl: string; redisUrl: string },
): ListenersBenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      listeners: { type: 'string', default: '10000' },
      rate: { type: 'string', default: '2' },
      duration: { type: 'string', default: '30' },
      workers: { type: 'string', default: '4' },
      processes: { type: 'string', default: '1' },
      'connect-rate': { type: 'string', default: '2000' },
      'library-share': { type: 'string', default: String(DEFAULT_LIBRARY_SHARE) },
      out: { type: 'string', default: 'reports/bench/listeners.json' },
    },
  });
  const problems: string[] = [];
  const positive = (name: string, raw: string, integer: boolean): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
      problems.push(`--${name} must be a positive ${integer ? 'integer' : 'number'} (got "${raw}")`);
    return n;
  };
  const share = (name: string, raw: string): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !(n >= 0 && n <= 1))
      problems.push(`--${name} must be a number within 0..1 (got "${raw}")`);
    return n;
  };
  const args: ListenersBenchArgs = {
    listeners: positive('listeners', values.listeners, true),
    ratePerSec: positive('rate', values.rate, false),
    durationSec: positive('duration', values.duration, false),
    workers: positive('workers', values.workers, true),
    processes: positive('processes', values.processes, true),
    connectRatePerSec: positive('connect-rate', values['connect-rate'], false),
    libraryShare: share('library-share', values['library-share']),
    out: values.out,
    ...urls,
  };
  if (problems.length > 0) throw new Error(`bench:listeners: ${problems.join('; ')}`);
  return args;
}
