// How a listener fleet is spread over processes and source addresses. A pure function of the
// fleet's size, so the limits below are checked once, before any process starts.

/** Default sizing: at most this many sockets per child process. */
export const SOCKETS_PER_WORKER = 5000;
/** Never more in one process: its open-files limit is 20,000, and it needs a few files besides. */
export const MAX_SOCKETS_PER_WORKER = 19_000;
/**
 * Sockets from one source address to the service's one address:port. The kernel has 28,232
 * ephemeral ports (32768–60999) per source address; past this many the fleet spreads its lean
 * listeners over 127.0.0.x.
 */
export const SOCKETS_PER_SOURCE_ADDRESS = 25_000;
/** Share of each transport's listeners that run the library client, unless asked otherwise. */
export const DEFAULT_LIBRARY_SHARE = 0.1;

export interface FleetPlanInput {
  sse: number;
  socketio: number;
  /** 0..1; default {@link DEFAULT_LIBRARY_SHARE}. */
  libraryShare?: number;
  /** Child processes; default: ≤ 5,000 sockets each, and every core past 1,000 listeners. */
  workers?: number;
  cores: number;
  /**
   * Service addresses (address:port) the listeners are spread over evenly (default 1). The kernel
   * keeps ephemeral ports per destination, so each gets its own 28,232 from one source address.
   */
  destinations?: number;
}

/** What one listener process opens. */
export interface WorkerPlan {
  sse: number;
  socketio: number;
  /** Of `sse`, how many run the library client. */
  sseLibrary: number;
  /** Of `socketio`, how many run the library client. */
  socketioLibrary: number;
  /** Source address of the process's lean listeners, when the fleet needs more than one. */
  localAddress?: string;
}

/**
 * Library listeners of a transport: `share` of them, at least one when the transport has any and
 * the share is not 0, so every fleet measures the real clients too.
 */
export function libraryCount(listeners: number, share: number): number {
  if (listeners === 0 || share === 0) return 0;
  return Math.min(listeners, Math.max(1, Math.round(listeners * share)));
}

function workerCount(total: number, input: FleetPlanInput): number {
  if (input.workers) return input.workers;
  return Math.max(1, Math.ceil(total / SOCKETS_PER_WORKER), total >= 1000 ? input.cores : 1);
}

/** Every problem with the fleet's size at once, or none. */
function problemsOf(input: FleetPlanInput, workers: number, library: number): string[] {
  const problems: string[] = [];
  const share = input.libraryShare ?? DEFAULT_LIBRARY_SHARE;
  if (!(share >= 0 && share <= 1)) problems.push(`libraryShare must be within 0..1 (got ${share})`);
  const total = input.sse + input.socketio;
  const perWorker = Math.ceil(total / workers);
  if (perWorker > MAX_SOCKETS_PER_WORKER) {
    problems.push(
      `${workers} workers would hold ${perWorker} sockets each, more than ${MAX_SOCKETS_PER_WORKER} ` +
        `(open-files limit 20,000 per process): use at least ${Math.ceil(total / MAX_SOCKETS_PER_WORKER)}`,
    );
  }
  if (library > SOCKETS_PER_SOURCE_ADDRESS) {
    problems.push(
      `${library} library listeners would all leave from 127.0.0.1, more than ${SOCKETS_PER_SOURCE_ADDRESS}: ` +
        'lower libraryShare',
    );
  }
  if (total > SOCKETS_PER_SOURCE_ADDRESS && workers > 253)
    problems.push(`${workers} workers: too many for 127.0.0.2–254`);
  return problems;
}

/** Splits the fleet over its processes; throws listing every problem. */
export function planListenerFleet(input: FleetPlanInput): WorkerPlan[] {
  const total = input.sse + input.socketio;
  const n = workerCount(total, input);
  const share = input.libraryShare ?? DEFAULT_LIBRARY_SHARE;
  const library = { sse: libraryCount(input.sse, share), socketio: libraryCount(input.socketio, share) };
  const problems = problemsOf(input, n, library.sse + library.socketio);
  if (problems.length > 0) throw new Error(`listener fleet: ${problems.join('; ')}`);
  const part = (count: number, i: number): number => Math.floor(count / n) + (i < count % n ? 1 : 0);
  return Array.from({ length: n }, (_, i) => {
    const sseLibrary = part(library.sse, i);
    const socketioLibrary = part(library.socketio, i);
    return {
      sse: part(input.sse - library.sse, i) + sseLibrary,
      socketio: part(input.socketio - library.socketio, i) + socketioLibrary,
      sseLibrary,
      socketioLibrary,
      // One address per process, from 127.0.0.2: 127.0.0.1 is left to the library listeners,
      // which cannot choose theirs. A process holds at most 19,000, well within one address.
      // Only when needed: a chosen source address means bind() before connect(), and bind() looks
      // for a free port among every one in use, which grows slow by the ten thousand (50,000
      // listeners ramped in 56 s with their own addresses, in 32 s over four service ports without).
      ...(total / (input.destinations ?? 1) > SOCKETS_PER_SOURCE_ADDRESS
        ? { localAddress: `127.0.0.${2 + i}` }
        : {}),
    };
  });
}
