import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope } from '../../../contracts/envelope.ts';
import type { OutboxStore } from '../../shared/outbox/outbox-store.ts';
import type { Student, StudentStore, WriteContext } from './student-store.ts';

export interface ContractSubject {
  store: StudentStore;
  outbox: OutboxStore;
  /** Stands in for the worker, the only writer of `updates`: `updates = updates + 1` in SQL. */
  incrementUpdates(id: string): Promise<void>;
  close(): Promise<void>;
}

const input = (n = 1) => ({ firstName: `Ada${n}`, lastName: `Lovelace${n}`, email: `ada${n}@example.com` });

const eventsOf =
  (type: Envelope['type']): WriteContext['events'] =>
  (student: Student) => [
    {
      exchange: 'students.events',
      routingKey: type,
      envelope: createEnvelope({ type, correlationId: 'contract', producer: 'api', payload: student }),
    },
  ];

const ctx = (type: Envelope['type']): WriteContext => ({ actor: 'contract-test', events: eventsOf(type) });

/** Drains the api producer's outbox and returns the envelopes it held, in id order. */
async function drainOutbox(outbox: OutboxStore): Promise<Envelope[]> {
  const seen: Envelope[] = [];
  while (
    (await outbox.relayBatch('api', 100, (rows) =>
      Promise.resolve(rows.forEach((r) => seen.push(JSON.parse(r.envelope) as Envelope))),
    )) > 0
  );
  return seen;
}

/** The behaviour every StudentStore adapter must show; run against each database. */
export function describeStudentStoreContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`StudentStore contract: ${name}`, () => {
    let subject: ContractSubject;
    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(async () => {
      await subject?.close();
    });

    it('creates a student with audit fields and commits its student.created outbox row', async () => {
      await drainOutbox(subject.outbox);
      const result = await subject.store.create(input(), ctx('student.created'));
      expect(result.kind).toBe('created');
      if (result.kind !== 'created') return;
      expect(result.student).toMatchObject({
        ...input(),
        fullName: 'Ada1 Lovelace1',
        updates: 0,
        createdBy: 'contract-test',
      });
      expect(await subject.store.get(result.student.id)).toEqual(result.student);
      const events = await drainOutbox(subject.outbox);
      expect(events.map((e) => [e.type, (e.payload as Student).id])).toEqual([
        ['student.created', result.student.id],
      ]);
    });

    it('rolls back the student when appending its events fails', async () => {
      const before = await subject.outbox.stats('api');
      const failing: WriteContext = {
        actor: 'x',
        events: () => {
          throw new Error('boom');
        },
      };
      await expect(subject.store.create(input(9), failing)).rejects.toThrow('boom');
      const page = await subject.store.list({ limit: 100 });
      expect(page.items.some((s) => s.firstName === 'Ada9')).toBe(false);
      expect((await subject.outbox.stats('api')).pending).toBe(before.pending);
    });

    it('returns undefined for an unknown id and writes no event for a missing update or delete', async () => {
      await drainOutbox(subject.outbox);
      const id = randomUUID();
      expect(await subject.store.get(id)).toBeUndefined();
      expect(await subject.store.update(id, input(), ctx('student.updated'))).toBeUndefined();
      expect(await subject.store.delete(id, ctx('student.deleted'))).toBe(false);
      expect(await drainOutbox(subject.outbox)).toEqual([]);
    });

    it('updates names and email without touching updates, emitting student.updated', async () => {
      const created = await subject.store.create(input(2), ctx('student.created'));
      if (created.kind !== 'created') throw new Error('not created');
      await drainOutbox(subject.outbox);
      await subject.incrementUpdates(created.student.id);
      const updated = await subject.store.update(created.student.id, input(3), ctx('student.updated'));
      expect(updated).toMatchObject({ ...input(3), updates: 1 });
      expect((await drainOutbox(subject.outbox)).map((e) => e.type)).toEqual(['student.updated']);
    });

    it('never loses an increment to concurrent updates', async () => {
      const created = await subject.store.create(input(4), { actor: 'x' });
      if (created.kind !== 'created') throw new Error('not created');
      const id = created.student.id;
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => [
          subject.incrementUpdates(id),
          subject.store.update(id, input(10 + i), { actor: 'x' }),
        ]).flat(),
      );
      expect((await subject.store.get(id))?.updates).toBe(10);
    });

    it('deletes once and emits student.deleted', async () => {
      const created = await subject.store.create(input(5), { actor: 'x' });
      if (created.kind !== 'created') throw new Error('not created');
      await drainOutbox(subject.outbox);
      expect(await subject.store.delete(created.student.id, ctx('student.deleted'))).toBe(true);
      expect(await subject.store.delete(created.student.id, ctx('student.deleted'))).toBe(false);
      expect(await subject.store.get(created.student.id)).toBeUndefined();
      expect((await drainOutbox(subject.outbox)).map((e) => e.type)).toEqual(['student.deleted']);
    });

    it('pages through every student exactly once with the cursor', async () => {
      for (let i = 0; i < 5; i++) await subject.store.create(input(20 + i), { actor: 'x' });
      const all = (await subject.store.list({ limit: 1000 })).items.map((s) => s.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 100; guard++) {
        const page = await subject.store.list({ limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((s) => s.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(all.length);
      expect(all.length).toBeGreaterThanOrEqual(5);
    });

    it('replays the first answer for a reused Idempotency-Key and refuses it for another body', async () => {
      const key = { scope: 'caller-a', key: randomUUID(), requestHash: 'h1' };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => subject.store.create(input(30), ctx('student.created'), key)),
      );
      const created = results.filter((r) => r.kind === 'created');
      expect(created).toHaveLength(1);
      const replays = results.filter((r) => r.kind === 'replayed');
      expect(replays).toHaveLength(4);
      for (const r of replays) expect(JSON.parse(r.body)).toEqual(created[0]!.student);
      expect(
        (await subject.store.create(input(31), { actor: 'x' }, { ...key, requestHash: 'h2' })).kind,
      ).toBe('key_reused');
      const otherCaller = await subject.store.create(
        input(30),
        { actor: 'x' },
        { ...key, scope: 'caller-b' },
      );
      expect(otherCaller.kind).toBe('created');
    });
  });
}
