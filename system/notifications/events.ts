import type { Envelope, NotificationType } from '../../contracts/envelope.ts';
import type { GapEvent } from './sse-frames.ts';

export type { Envelope, NotificationType } from '../../contracts/envelope.ts';

/** Answer to a `subscribe`/`unsubscribe` request. */
export type SubscribeAck = { ok: true; rooms: string[] } | { ok: false; error: string };

/** Sent first on every connection, on both transports. */
export interface ConnectedEvent {
  clientId: string;
  /** Socket.IO only: true when connection-state recovery replayed what the client missed. */
  recovered?: boolean;
}

/** Socket.IO server → client events: `connected`, then one event per notification type. */
export type ServerToClientEvents = {
  connected: (event: ConnectedEvent) => void;
  /** Notifications were lost (see GapReason): the client should refetch what it shows. */
  gap: (event: GapEvent) => void;
} & {
  [T in NotificationType]: (envelope: Envelope) => void;
};

/** Socket.IO client → server events. */
export interface ClientToServerEvents {
  /** Joins `student:<id>` rooms; from then on the client receives only those students' notifications. */
  subscribe: (studentIds: string[], ack: (result: SubscribeAck) => void) => void;
  /** Leaves rooms; with none left, the client receives every notification again. */
  unsubscribe: (studentIds: string[], ack: (result: SubscribeAck) => void) => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  clientId: string;
}

/** Room every unfiltered Socket.IO client sits in; a notification goes to it and to its student's room. */
export const allRoom = 'all';
export const studentRoom = (studentId: string): string => `student:${studentId}`;

/**
 * One notification as the broadcaster hands it to every transport: the envelope, its JSON
 * serialised once, and where it sits in the replay buffer (absent when Redis was unavailable).
 */
export interface Notification {
  envelope: Envelope;
  json: string;
  streamId?: string;
  /** Epoch milliseconds of `envelope.occurredAt`, for the pipeline latency histogram. */
  occurredAtMs: number;
}

export function toNotification(envelope: Envelope, streamId?: string, json?: string): Notification {
  return {
    envelope,
    json: json ?? JSON.stringify(envelope),
    occurredAtMs: Date.parse(envelope.occurredAt),
    ...(streamId ? { streamId } : {}),
  };
}

/** The student a notification is about (every payload has an `id`). */
export const studentIdOf = (envelope: Envelope): string => envelope.payload.id;
