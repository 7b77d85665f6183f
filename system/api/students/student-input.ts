import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import type { StudentInput } from './student-store.ts';

// PostgreSQL refuses NUL in text (SQLSTATE 22021) and no name needs a control character: both are
// bad input, answered 400 here rather than by the database.
const hasControlChar = (value: string) => [...value].some((c) => c < ' ' || c === '\u007f');
const name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((v) => !hasControlChar(v), 'must not contain control characters');

export const studentInputSchema = z.object({
  firstName: name,
  lastName: name,
  email: z.string().trim().max(254).pipe(z.email()),
});

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The cursor is a student id: the store casts it to uuid, so anything else must stop here.
const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().regex(uuidPattern, 'must be a student id (UUID)').optional(),
});

function validationError(error: z.ZodError): AppError {
  return new AppError('validation_failed', {
    extensions: {
      errors: error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
    },
  });
}

export function parseStudentInput(body: unknown): StudentInput {
  const result = studentInputSchema.safeParse(body);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

export function parseListQuery(query: unknown): { limit: number; cursor?: string | undefined } {
  const result = listQuerySchema.safeParse(query);
  if (!result.success) throw validationError(result.error);
  return { limit: result.data.limit, cursor: result.data.cursor?.toLowerCase() };
}

/** Path ids are UUIDs; anything else is a 400 before any I/O. */
export function parseStudentId(raw: unknown): string {
  if (typeof raw !== 'string' || !uuidPattern.test(raw)) {
    throw new AppError('malformed_id', { detail: 'the id must be a UUID' });
  }
  return raw.toLowerCase();
}

/** Who the caller is, without storing their credentials: a short hash of `Authorization`. */
export const callerOf = (authorization: string | undefined): string =>
  authorization
    ? `caller:${createHash('sha256').update(authorization).digest('hex').slice(0, 16)}`
    : 'anonymous';
