import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope, type Student } from '../../contracts/envelope.ts';
import type { OutboxStore } from '../shared/outbox/outbox-store.ts';
import type { OutboxMessage, WorkerStore } from './worker-store.ts';

export interface WorkerStoreSubject {
  store: WorkerStore;
  outbox: OutboxStore;
  /** Inserts a student with updates = 0 (as the API would). */
  insertStudent(id: string): Promise<void>;
  updatesOf(id: string): Promise<number | undefined>;
  close(): Promise<void>;
}

const note = (type: Envelope['type'], student: Student | { id: string }): OutboxMessage => ({
  exchange: 'notifications',
  routingKey: type,
  envelope: createEnvelope({ type, correlationId: 'contract', producer: 'worker', payload: student }),
});

/** Drains the worker producer's outbox; returns "type updates" per row, in id order. */
async function drainOutbox(outbox: OutboxStore): Promise<string[]> {
  const seen: string[] = [];
  const take = (rows: { envelope: string }[]) => {
    for (const r of rows) {
      const e = JSON.parse(r.envelope) as Envelope;
      seen.push(`${e.type} ${'updates' in e.payload ? e.payload.updates : '-'}`);
    }
    return Promise.resolve();
  };
  while ((await outbox.relayBatch('worker', 100, take)) > 0);
  return seen;
}

/** The behaviour every WorkerStore adapter must show; run against each database. */
export function describeWorkerStoreContract(name: string, setup: () => Promise<WorkerStoreSubject>): void {
  describe(`WorkerStore contract: ${name}`, () => {
    let s: WorkerStoreSubject;
    beforeAll(async () => {
      s = await setup();
      await drainOutbox(s.outbox);
    });
    afterAll(() => s.close());

    const apply = (messageId: string, studentId: string) =>
      s.store.applyUpdate({
        messageId,
        messageType: 'student.updated',
        studentId,
        notificationsFor: (student) => [note('student.updated', student)],
      });

    it('claims, increments and appends in one step; a redelivery resumes; completion happens once', async () => {
      const id = randomUUID();
      await s.insertStudent(id);
      const messageId = randomUUID();
      const first = await apply(messageId, id);
      expect(first).toMatchObject({
        outcome: 'applied',
        student: { id, updates: 1, lastModifiedBy: 'worker' },
      });
      const again = await apply(messageId, id);
      expect(again).toMatchObject({ outcome: 'resume', student: { id, updates: 1 } });
      expect(await s.updatesOf(id)).toBe(1);
      const cached = note('student.cached', { id });
      expect(await s.store.completeMessage({ messageId, notifications: [cached] })).toBe(true);
      expect(await s.store.completeMessage({ messageId, notifications: [cached] })).toBe(false);
      expect(await apply(messageId, id)).toEqual({ outcome: 'duplicate' });
      expect(await drainOutbox(s.outbox)).toEqual(['student.updated 1', 'student.cached -']);
    });

    it('records an event for a missing student as done, with no effect', async () => {
      const messageId = randomUUID();
      expect(await apply(messageId, randomUUID())).toEqual({ outcome: 'not_found' });
      expect(await apply(messageId, randomUUID())).toEqual({ outcome: 'duplicate' });
      expect(await drainOutbox(s.outbox)).toEqual([]);
    });

    it('rolls the claim and the increment back when appending fails', async () => {
      const id = randomUUID();
      await s.insertStudent(id);
      const messageId = randomUUID();
      const failing = s.store.applyUpdate({
        messageId,
        messageType: 'student.updated',
        studentId: id,
        notificationsFor: () => {
          throw new Error('boom');
        },
      });
      await expect(failing).rejects.toThrow();
      expect(await s.updatesOf(id)).toBe(0);
      expect(await apply(messageId, id)).toMatchObject({ outcome: 'applied', student: { updates: 1 } });
      await drainOutbox(s.outbox);
    });

    it('applies a message delivered five times at once exactly once', async () => {
      const id = randomUUID();
      await s.insertStudent(id);
      const messageId = randomUUID();
      const results = await Promise.all(Array.from({ length: 5 }, () => apply(messageId, id)));
      expect(results.filter((r) => r.outcome === 'applied')).toHaveLength(1);
      expect(await s.updatesOf(id)).toBe(1);
      expect(await drainOutbox(s.outbox)).toEqual(['student.updated 1']);
    });

    it('records a message without a database effect once, with its notifications', async () => {
      const messageId = randomUUID();
      const input = {
        messageId,
        messageType: 'student.deleted',
        notifications: [note('student.deleted', { id: 'x' })],
      };
      expect(await s.store.recordMessage(input)).toBe(true);
      expect(await s.store.recordMessage(input)).toBe(false);
      expect(await drainOutbox(s.outbox)).toEqual(['student.deleted -']);
    });

    it('answers ping', async () => {
      await expect(s.store.ping()).resolves.toBeUndefined();
    });
  });
}
