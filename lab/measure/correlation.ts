/**
 * The measurement protocol between whatever causes a notification (a lab writer's HTTP write, or the
 * bench's direct publish) and the listeners that receive it.
 *
 * A correlation id is `<runPrefix>-<seq>`: unique per run, and nothing else. The sender remembers
 * when it MEANT to send (`intendedSendUs`), and a listener reports only what it saw and when
 * (`NotificationReceipt`); the two are joined by `(type, correlationId)` in one place
 * (receipt-join.ts). So `notifications.latency` is always receipt − intended send, whoever sent.
 */

import type { JourneyTimes } from './journey-stages.ts';

/** Which notification: one write causes several types, all carrying the write's correlation id. */
export interface NotificationRef {
  type: string;
  correlationId: string;
}

/** A notification every listener should receive, with the INTENDED send time of its cause. */
export interface ExpectedNotification extends NotificationRef {
  /** Epoch microseconds: when the causing write (or the bench's publish) was scheduled to leave. */
  intendedSendUs: number;
  /** What the services marked on its way, once the lab has read their journey logs. */
  journey?: JourneyTimes;
}

/** One notification as one listener saw it. */
export interface NotificationReceipt extends NotificationRef {
  /** Epoch microseconds, taken when the bytes reached the listener process. */
  receivedAtUs: number;
}

/** `<runPrefix>-<seq>`; the prefix makes it unique across runs, the sequence within one. */
export function correlationIdFor(runPrefix: string, seq: number): string {
  return `${runPrefix}-${seq}`;
}

/**
 * The join key of a notification. Private to the measurement code: callers hold
 * {@link NotificationRef} objects, never this string.
 */
export function notificationKey(ref: NotificationRef): string {
  return `${ref.type}:${ref.correlationId}`;
}
