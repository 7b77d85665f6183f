import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** Domain events go to `students.events`, notifications to `notifications`. */
export const domainEventTypes = ['student.created', 'student.updated', 'student.deleted'] as const;
export const notificationTypes = [
  'student.created',
  'student.updated',
  'student.cached',
  'student.deleted',
] as const;

export type DomainEventType = (typeof domainEventTypes)[number];
export type NotificationType = (typeof notificationTypes)[number];

export const studentSchema = z.object({
  id: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
  fullName: z.string(),
  updates: z.number().int(),
  created: z.string(),
  createdBy: z.string(),
  lastModified: z.string(),
  lastModifiedBy: z.string(),
});

export type Student = z.infer<typeof studentSchema>;

export const deletedPayloadSchema = z.object({ id: z.string() });

export const envelopeSchema = z.object({
  messageId: z.string().min(1),
  type: z.enum(notificationTypes),
  correlationId: z.string().min(1),
  causationId: z.string().nullable(),
  /** ISO-8601: when the fact happened, not when a consumer read it. */
  occurredAt: z.iso.datetime({ offset: true }),
  producer: z.string().min(1),
  payload: z.union([studentSchema, deletedPayloadSchema]),
  /**
   * W3C trace context of the work that made this message (`00-<trace id>-<span id>-<flags>`):
   * the write's request, then the worker's handling. Listeners can show which trace a
   * notification belongs to. Absent when nobody traced the cause.
   */
  traceparent: z
    .string()
    .regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional(),
});

/** The one message body every exchange carries. */
export type Envelope = z.infer<typeof envelopeSchema>;

export interface NewEnvelope {
  type: NotificationType;
  correlationId: string;
  causationId?: string | null;
  occurredAt?: Date;
  producer: string;
  payload: Envelope['payload'];
  messageId?: string;
  traceparent?: string | undefined;
}

export function createEnvelope(input: NewEnvelope): Envelope {
  return {
    messageId: input.messageId ?? randomUUID(),
    type: input.type,
    correlationId: input.correlationId,
    causationId: input.causationId ?? null,
    occurredAt: (input.occurredAt ?? new Date()).toISOString(),
    producer: input.producer,
    payload: input.payload,
    ...(input.traceparent ? { traceparent: input.traceparent } : {}),
  };
}

export type ParsedEnvelope = { ok: true; envelope: Envelope } | { ok: false; reason: string };

/** Parses a message body; never throws, so a consumer can dead-letter with the reason. */
export function parseEnvelope(body: Buffer | string): ParsedEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `body is not JSON: ${(e as Error).message}` };
  }
  const result = envelopeSchema.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      reason: `envelope invalid: ${result.error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ')}`,
    };
  }
  return { ok: true, envelope: result.data };
}
