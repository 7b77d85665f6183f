import { describe, expect, it } from 'vitest';
import { createEnvelope, parseEnvelope } from './envelope.ts';

const student = {
  id: '5f0c9c1e-0000-4000-8000-000000000001',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.org',
  fullName: 'Ada Lovelace',
  updates: 0,
  created: '2026-01-01T00:00:00.000Z',
  createdBy: 'api',
  lastModified: '2026-01-01T00:00:00.000Z',
  lastModifiedBy: 'api',
};

describe('envelope', () => {
  it('round-trips through JSON and the schema', () => {
    const envelope = createEnvelope({
      type: 'student.created',
      correlationId: 'c-1',
      producer: 'api',
      payload: student,
    });
    const parsed = parseEnvelope(Buffer.from(JSON.stringify(envelope)));
    expect(parsed).toEqual({ ok: true, envelope });
  });

  it('rejects a body that is not JSON with a reason instead of throwing', () => {
    const parsed = parseEnvelope('{not json');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(/not JSON/);
  });

  it('rejects an envelope with an unknown type or missing fields, naming them', () => {
    const parsed = parseEnvelope(JSON.stringify({ messageId: 'x', type: 'student.exploded', payload: {} }));
    expect(parsed.ok).toBe(false);
    const reason = !parsed.ok ? parsed.reason : '';
    expect(reason).toMatch(/type/);
    expect(reason).toMatch(/correlationId/);
  });
});
