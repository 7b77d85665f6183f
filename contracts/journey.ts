/**
 * A notification's journey: the moments the services record about the write that caused it and
 * about the notification itself, and the stages the lab cuts the end-to-end latency into.
 *
 * Each service keeps its own marks (system/shared/journey-log.ts) and serves them at `GET /journeys`;
 * the lab joins them with what its writers and listeners saw (lab/measure/journey-stages.ts). The
 * join key is the write's correlation id and the message type, as for the receipts themselves.
 */

/** Where one mark is taken, in the order a notification passes them. */
export const journeyMarks = [
  /** The API's transaction holding the write and its outbox row has committed. */
  'api.committed',
  /**
   * The API handed the domain event to the broker: the start of the publish the broker then
   * confirmed (the outbox relay's batch, or the direct publish).
   */
  'api.published',
  /** The worker received the domain event. */
  'worker.received',
  /** The worker's outbox relay handed a notification to the broker (the publish then confirmed). */
  'worker.published',
  /** A notifications process received the notification. */
  'notifications.received',
  /** A notifications process handed the notification to its SSE clients (start and end of the loop). */
  'fanout.sse',
  /** The same for its Socket.IO clients. */
  'fanout.socketio',
] as const;
export type JourneyMark = (typeof journeyMarks)[number];

/**
 * One mark: `[mark, correlationId, type, atUs, endUs?]`. `type` is the message's: a domain event
 * type for the first three marks, a notification type after. Times are epoch microseconds of the
 * recording process (`endUs` only for the fan-out marks: when its loop ended).
 */
export type JourneyEntry = [JourneyMark, string, string, number, number?];

/** What `GET /journeys?after=<cursor>` answers. */
export interface JourneyPage {
  /** Pass as `after` next time: only entries recorded since are sent. */
  next: number;
  /** Entries after the cursor that the bounded log overwrote before this read. */
  lost: number;
  entries: JourneyEntry[];
}

/**
 * The stages of one delivery, in order; each begins where the one before ends, so for every receipt
 * they add up to its end-to-end latency (receipt − intended send of the causing write):
 * - `api`: intended send of the write → commit;
 * - `outbox`: commit → the relay handed the domain event to the broker (the publish the broker
 *   confirmed: a row waits here for the relay, its batch, its backoff and its breaker);
 * - `broker`: the way through RabbitMQ, both trips: event published → worker received, plus
 *   notification published → notifications process received (the link both ways and the queue);
 * - `worker`: event received → the notification handed to the broker (handler, worker outbox, relay);
 * - `fanout`: notifications process received → the bytes handed to this listener's socket;
 * - `wire`: → received by the listener (the kernel, the network, the listener's own event loop).
 */
export const journeyStages = ['api', 'outbox', 'broker', 'worker', 'fanout', 'wire'] as const;
export type JourneyStage = (typeof journeyStages)[number];

/** Route of the journey log on every service (next to `/metrics`). */
export const journeysRoute = '/journeys';
