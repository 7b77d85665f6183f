import type { JourneyEntry, JourneyPage } from '../../contracts/journey.ts';
import { indexJourneys, type JourneyTimes } from '../measure/journey-stages.ts';
import type { NotificationRef } from '../measure/correlation.ts';

/** What the services' journey logs said over a run. */
export interface CollectedJourneys {
  /** A notification's journey, or undefined when a mark is missing. */
  lookup(ref: NotificationRef): JourneyTimes | undefined;
  /** Entries the services' bounded logs overwrote before the lab read them. */
  lost: number;
  /** Logs that answered 404: that process runs with `JOURNEY_LOG_SIZE=0`. */
  off: string[];
}

export interface JourneyCollector {
  start(): void;
  /** Stops polling (a run that ends without collecting). */
  stop(): void;
  /** Reads what is left, stops polling and indexes everything read. */
  collect(): Promise<CollectedJourneys>;
}

export interface JourneyCollectorOptions {
  /** Every service process's `/journeys` URL. */
  urls: readonly string[];
  /** How often the logs are read while the run goes on (they are bounded), ms (default 2,000). */
  intervalMs?: number;
  fetchTimeoutMs?: number;
}

/**
 * Reads every service process's journey log (`GET /journeys?after=<cursor>`) while a run goes on,
 * so the bounded logs never overwrite what the lab has not read. A process that restarted
 * (its sequence went back) is read again from its start; one that cannot be reached is tried at
 * the next poll.
 */
export function createJourneyCollector(options: JourneyCollectorOptions): JourneyCollector {
  const { urls, intervalMs = 2_000, fetchTimeoutMs = 5_000 } = options;
  const entries: JourneyEntry[] = [];
  const cursors = new Map<string, number>();
  let lost = 0;
  const off = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();

  async function readOne(url: string): Promise<void> {
    if (off.has(url)) return;
    const cursor = cursors.get(url) ?? 0;
    const response = await fetch(`${url}?after=${cursor}`, { signal: AbortSignal.timeout(fetchTimeoutMs) });
    if (response.status === 404) {
      off.add(url);
      return;
    }
    if (!response.ok) return;
    const page = (await response.json()) as JourneyPage;
    if (page.next < cursor) {
      cursors.set(url, 0);
      return readOne(url);
    }
    for (const entry of page.entries) entries.push(entry);
    cursors.set(url, page.next);
    lost += page.lost;
  }

  const poll = () =>
    (polling = polling.then(() =>
      Promise.all(urls.map((url) => readOne(url).catch(() => undefined))).then(() => undefined),
    ));

  return {
    start() {
      timer ??= setInterval(() => void poll(), intervalMs);
      timer.unref();
    },
    stop: () => clearInterval(timer),
    async collect() {
      clearInterval(timer);
      await poll();
      const lookup = indexJourneys(entries);
      return {
        lookup,
        lost,
        off: [...off],
      };
    },
  };
}
