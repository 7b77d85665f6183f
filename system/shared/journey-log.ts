import { Router } from 'express';
import { epochUs } from '../../contracts/clock.ts';
import { env } from './config.ts';
import {
  journeysRoute,
  type JourneyEntry,
  type JourneyMark,
  type JourneyPage,
} from '../../contracts/journey.ts';

/**
 * This process's marks of the messages passing through it (contracts/journey.ts), kept in a
 * bounded ring for the lab to read at `GET /journeys`. Off (size 0) it records nothing and the
 * route is not served: a production service pays one branch per mark.
 */
export interface JourneyLog {
  readonly enabled: boolean;
  mark(mark: JourneyMark, correlationId: string, type: string, atUs?: number, endUs?: number): void;
  /** Entries recorded after `cursor` (0: everything still held). */
  read(cursor: number): JourneyPage;
}

/** Spread into each service's configuration schema. */
export const journeySettings = () => ({
  JOURNEY_LOG_SIZE: env
    .int(0, 0, 1_000_000)
    .describe(
      "Marks of passing messages this process keeps for the lab's journey breakdown, served at `/journeys` (0: off, nothing recorded, no route). The lab turns it on for the services it starts.",
    ),
});

export const disabledJourneyLog: JourneyLog = {
  enabled: false,
  mark() {},
  read: () => ({ next: 0, lost: 0, entries: [] }),
};

export function createJourneyLog(size: number): JourneyLog {
  if (size <= 0) return disabledJourneyLog;
  const ring = new Array<JourneyEntry | undefined>(size);
  // Sequence number of the next entry; entry s lives at ring[s % size] while s >= written - size.
  let written = 0;
  return {
    enabled: true,
    mark(mark, correlationId, type, atUs = epochUs(), endUs) {
      ring[written % size] =
        endUs === undefined ? [mark, correlationId, type, atUs] : [mark, correlationId, type, atUs, endUs];
      written++;
    },
    read(cursor) {
      const from = Math.max(cursor, written - size, 0);
      const entries: JourneyEntry[] = [];
      for (let s = from; s < written; s++) entries.push(ring[s % size] as JourneyEntry);
      return { next: written, lost: from - Math.min(cursor, written), entries };
    },
  };
}

/** `GET /journeys?after=<cursor>`: what the log holds after the cursor (nothing routed when off). */
export function createJourneyRoutes(log: JourneyLog): Router {
  const router = Router();
  if (!log.enabled) return router;
  router.get(journeysRoute, (req, res) => {
    const after = Number(req.query.after ?? 0);
    res.json(log.read(Number.isSafeInteger(after) && after > 0 ? after : 0));
  });
  return router;
}
