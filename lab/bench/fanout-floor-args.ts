import { benchOptionValues, optionChecks } from './bench-args.ts';

export interface FloorArgs {
  listeners: number;
  ratePerSec: number;
  durationSec: number;
  workers: number;
  /** Server processes; the listeners are spread over them, each writes to its own. */
  servers: number;
  out: string;
}

/** `--listeners --rate --duration --workers --servers --out`; throws naming every bad value. */
export function parseFloorArgs(argv: string[]): FloorArgs {
  const values = benchOptionValues(argv, {
    listeners: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '1' },
    duration: { type: 'string', default: '30' },
    workers: { type: 'string', default: '4' },
    servers: { type: 'string', default: '1' },
    out: { type: 'string', default: 'reports/bench/fanout-floor.json' },
  });
  const problems: string[] = [];
  const { positive } = optionChecks(problems);
  const args = {
    listeners: positive('listeners', values.listeners, true),
    ratePerSec: positive('rate', values.rate, false),
    durationSec: positive('duration', values.duration, false),
    workers: positive('workers', values.workers, true),
    servers: positive('servers', values.servers, true),
    out: values.out,
  };
  // 20,000 open files per process here: room for 18,000 connections and the rest.
  if (args.listeners / Math.max(1, args.workers) > 18_000)
    problems.push('--workers is too small: at most 18,000 listeners per listener process');
  if (args.listeners / Math.max(1, args.servers) > 18_000)
    problems.push('--servers is too small: at most 18,000 connections per server process');
  if (problems.length > 0) throw new Error(problems.join('; '));
  return args;
}
