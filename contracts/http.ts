/** Paths the services serve and the lab, the test pages and the dashboards call. */
export const routes = {
  students: '/api/students',
  /** Express pattern of one student. */
  student: '/api/students/:id',
  notificationsStream: '/api/notifications/stream',
  /** The seed's name for the same SSE stream, kept so its clients still work. */
  notificationsStreamAlias: '/api/notifications/students/stream',
  socketIo: '/hubs/notifications',
  metrics: '/metrics',
  healthLive: '/health/live',
  healthReady: '/health/ready',
} as const;

/** The path of one student. */
export const studentPath = (id: string): string => `${routes.students}/${encodeURIComponent(id)}`;

/** Request and response headers with a meaning in this system (lower case, as Node sees them). */
export const headers = {
  /** Carried from the HTTP request through the outbox, the broker and the worker into every notification. */
  correlationId: 'x-correlation-id',
  /** `true` on a response that another identical request's execution (or the response cache) answered. */
  deduplicated: 'x-deduplicated',
  idempotencyKey: 'idempotency-key',
  /** SSE: the last event id a reconnecting client saw; the stream replays what followed. */
  lastEventId: 'last-event-id',
} as const;

/** RFC 9457 problem document: every error a service answers has this shape and a stable `code`. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export const problemContentType = 'application/problem+json';
