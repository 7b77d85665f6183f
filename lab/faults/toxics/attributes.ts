import { ToxicAttributeError } from './toxic.ts';

/**
 * Reads a whole, non-negative number attribute. Toxiproxy decodes attributes into int64 fields,
 * so a missing attribute is 0 and a string or fraction is a 400; negatives are rejected here too
 * because every attribute is a duration, a size or a rate.
 */
export function readCount(input: Record<string, unknown>, key: string, fallback: number): number {
  const value = input[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ToxicAttributeError(
      `attribute ${key} must be a non-negative integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
