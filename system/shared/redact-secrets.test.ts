import { describe, expect, it } from 'vitest';
import { redactCredentials } from './redact-secrets.ts';

describe('redactCredentials', () => {
  it('hides the password of every URL and keeps the rest', () => {
    expect(redactCredentials('postgres://app:pw@db:5432/app and redis://:token@cache:6379')).toBe(
      'postgres://app:***@db:5432/app and redis://:***@cache:6379',
    );
  });

  it('leaves URLs without a password unchanged', () => {
    for (const text of ['amqp://broker:5672', 'mssql://sa@db/x', 'not a url'])
      expect(redactCredentials(text)).toBe(text);
  });
});
