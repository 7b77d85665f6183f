import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, type Student } from '../../contracts/envelope.ts';
import { createResiliencePolicy } from '../shared/resilience-policy.ts';
import { createPostgresOutboxStore } from '../shared/outbox/postgres-outbox-store.ts';
import { createPostgresWorkerStore } from './postgres-worker-store.ts';
import {
  createTestDatabase,
  insertStudent,
  updatesOf,
  type TestDatabase,
} from './testing/worker-test-env.ts';
import type { OutboxMessage, WorkerStore } from './worker-store.ts';
import { describeWorkerStoreContract } from './worker-store.contract.ts';
import { createPostgresPool } from '../shared/postgres-pool.ts';

describeWorkerStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  const pool = createPostgresPool({ connectionString: db.url, max: 6 });
  const policy = createResiliencePolicy({
    name: 'db',
    timeoutMs: 5_000,
    maxRetries: 1,
    initialDelayMs: 10,
    maxDelayMs: 50,
    consecutiveFailures: 5,
    halfOpenAfterMs: 1_000,
  });
  return {
    store: createPostgresWorkerStore({ pool, policy }),
    outbox: createPostgresOutboxStore(pool),
    insertStudent: async (id) => void (await insertStudent(db.pool, id)),
    updatesOf: async (id) =>
      (await db.pool.query<{ updates: number }>('select updates from students where id = $1', [id])).rows[0]
        ?.updates,
    close: async () => {
      await pool.end();
      await db.drop();
    },
  };
});

describe('PostgreSQL worker store: concurrent messages share transactions', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const groups: { step: string; size: number }[] = [];
  let store: WorkerStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPostgresPool({ connectionString: db.url, max: 6 });
    const policy = createResiliencePolicy({
      name: 'db',
      timeoutMs: 5_000,
      maxRetries: 0,
      initialDelayMs: 10,
      maxDelayMs: 50,
      consecutiveFailures: 50,
      halfOpenAfterMs: 1_000,
    });
    store = createPostgresWorkerStore({ pool, policy, onBatch: (step, size) => groups.push({ step, size }) });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const notification = (student: Student, messageId: string): OutboxMessage => ({
    exchange: 'notifications',
    routingKey: 'student.updated',
    envelope: createEnvelope({
      type: 'student.updated',
      correlationId: messageId,
      producer: 'worker',
      payload: student,
    }),
  });

  it('increments each student once per message, each notification seeing its own count, exactly once', async () => {
    const students = await Promise.all(Array.from({ length: 10 }, () => insertStudent(db.pool)));
    const missing = randomUUID();
    const messages = students.flatMap((studentId) =>
      [1, 2, 3].map(() => ({ messageId: randomUUID(), studentId })),
    );
    messages.push({ messageId: randomUUID(), studentId: missing });
    // The same message twice in one group (a redelivery racing the original).
    const twice = messages[0]!;
    const inputs = [...messages, twice].map(({ messageId, studentId }) => ({
      messageId,
      messageType: 'student.updated',
      studentId,
      notificationsFor: (student: Student) => [notification(student, messageId)],
    }));

    const results = await Promise.all(inputs.map((input) => store.applyUpdate(input)));

    expect(groups.some((g) => g.step === 'apply' && g.size > 1)).toBe(true);
    expect(results.at(-2)).toEqual({ outcome: 'not_found' });
    expect(['resume', 'duplicate']).toContain(results.at(-1)?.outcome);
    const applied = results.slice(0, 30);
    expect(applied.every((r) => r.outcome === 'applied')).toBe(true);
    const finalUpdates = await updatesOf(db.pool, students);
    expect([...finalUpdates.values()]).toEqual(students.map(() => 3));
    // Each student's three messages saw 1, 2 and 3: the same values one-by-one processing gives.
    for (const studentId of students) {
      const seen = applied
        .filter((_, i) => messages[i]!.studentId === studentId)
        .map((r) => (r.outcome === 'applied' ? r.student.updates : -1))
        .sort();
      expect(seen).toEqual([1, 2, 3]);
    }

    const completed = await Promise.all(
      [...messages, twice].map(({ messageId, studentId }) =>
        store.completeMessage({
          messageId,
          notifications: [
            {
              exchange: 'notifications',
              routingKey: 'student.cached',
              envelope: createEnvelope({
                type: 'student.cached',
                correlationId: messageId,
                producer: 'worker',
                payload: { id: studentId },
              }),
            },
          ],
        }),
      ),
    );
    // Every claimed message completes once; the duplicate copy and the not-found one do not.
    expect(completed.filter(Boolean)).toHaveLength(30);
    const { rows } = await db.pool.query<{ type: string; n: number }>(
      `select envelope->>'type' as type, count(*)::int as n from outbox where producer = 'worker' group by 1 order by 1`,
    );
    expect(rows).toEqual([
      { type: 'student.cached', n: 30 },
      { type: 'student.updated', n: 30 },
    ]);
    const stages = await db.pool.query<{ stage: string; n: number }>(
      'select stage, count(*)::int as n from processed_messages group by 1',
    );
    expect(stages.rows).toEqual([{ stage: 'done', n: 31 }]);
  });
});
