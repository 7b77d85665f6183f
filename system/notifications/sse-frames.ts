import type { Notification } from './events.ts';

/**
 * Why a client cannot be sent everything it missed: its last id was trimmed or never buffered,
 * the buffer could not be read (`replay-unavailable`) or did not take a notification
 * (`replay-incomplete`), or this instance's queue expired while the broker was away and the
 * notifications published meanwhile are gone (`queue-expired`). The client should refetch.
 */
export type GapReason =
  'trimmed' | 'unknown-id' | 'replay-unavailable' | 'replay-incomplete' | 'queue-expired';

export interface GapEvent {
  /** The id the client reconnected with; absent on a gap announced to every connected client. */
  lastEventId?: string;
  reason: GapReason;
}

/** The first bytes of every stream: the reconnect hint (milliseconds), then `connected`. */
export const openingFrame = (retryMs: number, clientId: string): string =>
  `retry: ${retryMs}\n\nevent: connected\ndata: ${JSON.stringify({ clientId })}\n\n`;

/**
 * One notification. The envelope JSON has no raw newlines (JSON.stringify escapes them), so a
 * single `data:` line carries it.
 */
export const notificationFrame = (messageId: string, type: string, json: string): string =>
  `id: ${messageId}\nevent: ${type}\ndata: ${json}\n\n`;

/** Encoded once per notification: every client's socket is handed the same bytes. */
export const frameOf = (notification: Notification): Buffer =>
  Buffer.from(
    notificationFrame(notification.envelope.messageId, notification.envelope.type, notification.json),
  );

/** Sent when replay cannot cover the gap; it carries no `id:` so the client's last id is kept. */
export const gapFrame = (gap: GapEvent): string => `event: gap\ndata: ${JSON.stringify(gap)}\n\n`;

/** A comment line: keeps proxies and the client's idle detection satisfied, ignored by EventSource. */
export const heartbeatFrame = Buffer.from(': heartbeat\n\n');

/** `?types=a,b&types=c` → the set of wanted types; `undefined` when the client wants all. */
export function parseTypes(raw: unknown): Set<string> | undefined {
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  const types = values
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  return types.length > 0 ? new Set(types) : undefined;
}
