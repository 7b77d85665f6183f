import { describe, expect, it } from 'vitest';
import { isAppError } from '../../shared/errors.ts';
import { parseListQuery, parseStudentInput } from './student-input.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isAppError(error) ? error.code : 'not an AppError';
  }
};

describe('parseListQuery', () => {
  it('rejects cursors that are 36 characters but not a UUID', () => {
    for (const cursor of ['0'.repeat(36), '-'.repeat(36), `${'a'.repeat(8)}${'-'.repeat(28)}`])
      expect(codeOf(() => parseListQuery({ cursor }))).toBe('validation_failed');
  });

  it('accepts a UUID cursor and lower-cases it', () => {
    const cursor = '3FA85F64-5717-4562-B3FC-2C963F66AFA6';
    expect(parseListQuery({ cursor }).cursor).toBe(cursor.toLowerCase());
  });
});

describe('parseStudentInput', () => {
  it('rejects NUL and other control characters in names', () => {
    for (const firstName of ['A\u0000B', '\u0000', 'A\u001bB', 'A\u007f'])
      expect(codeOf(() => parseStudentInput({ firstName, lastName: 'B', email: 'a@b.co' }))).toBe(
        'validation_failed',
      );
  });

  it('accepts names outside ASCII', () => {
    expect(parseStudentInput({ firstName: 'Zoë', lastName: '李', email: 'a@b.co' }).lastName).toBe('李');
  });
});
