import { DEFAULT_LIBRARY_SHARE } from '../load/listener-fleet-plan.ts';
import { benchOptionValues, optionChecks } from './bench-args.ts';

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
  const values = benchOptionValues(argv, {
    listeners: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '2' },
    duration: { type: 'string', default: '30' },
    workers: { type: 'string', default: '4' },
    processes: { type: 'string', default: '1' },
    'connect-rate': { type: 'string', default: '2000' },
    'library-share': { type: 'string', default: String(DEFAULT_LIBRARY_SHARE) },
    out: { type: 'string', default: 'reports/bench/listeners.json' },
  });
  const problems: string[] = [];
  const { positive, share } = optionChecks(problems);
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
