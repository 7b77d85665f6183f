import { describe, expect, it } from 'vitest';
import { createEnvelope } from '../../contracts/envelope.ts';
import { publishOptionsFor } from './amqp-publish.ts';

describe('publish options', () => {
  it('mirrors the envelope in AMQP properties', () => {
    const envelope = createEnvelope({
      type: 'student.deleted',
      correlationId: 'c-2',
      causationId: 'm-1',
      producer: 'worker',
      payload: { id: '5f0c9c1e-0000-4000-8000-000000000001' },
      occurredAt: new Date('2026-02-03T04:05:06.000Z'),
    });
    expect(publishOptionsFor(envelope)).toMatchObject({
      messageId: envelope.messageId,
      correlationId: 'c-2',
      type: 'student.deleted',
      timestamp: Date.parse('2026-02-03T04:05:06.000Z') / 1000,
      persistent: true,
      contentType: 'application/json',
    });
  });
});
