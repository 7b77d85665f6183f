import { describe, expect, it } from 'vitest';
import { allRoom, studentRoom } from './events.ts';
import type { ReplayEntry } from './redis-replay-store.ts';
import { createSocketRecovery, type PersistedSession } from './socket-recovery.ts';

const student = 'a0000000-0000-4000-8000-000000000001';
const other = 'b0000000-0000-4000-8000-000000000002';
const envelopeOf = (messageId: string, studentId = student) => ({
  messageId,
  type: 'student.created',
  payload: { id: studentId },
});
const entry = (streamId: string, messageId: string): ReplayEntry => ({
  streamId,
  messageId,
  type: 'student.created',
  json: JSON.stringify(envelopeOf(messageId)),
});
const live = (messageId: string, offset: string, studentId = student): unknown[] => [
  'student.created',
  envelopeOf(messageId, studentId),
  offset,
];

/**
 * A recovery over an in-memory stream whose reads wait until `release()`: the test decides what is
 * broadcast while a restore is reading.
 */
function recoveryWithHeldReads(stream: ReplayEntry[], rooms: string[]) {
  const held: (() => void)[] = [];
  const session: PersistedSession = { sid: 'sid-1', pid: 'pid-1', rooms, data: {} };
  const recovery = createSocketRecovery({
    sessions: {
      save: () => Promise.resolve(),
      take: (pid) => Promise.resolve(pid === session.pid ? session : undefined),
      lastStreamId: () => Promise.resolve(stream.at(-1)?.streamId),
    },
    replay: {
      readAfter: (after, count) =>
        new Promise((resolve) =>
          held.push(() => {
            const from = after === '-' ? 0 : stream.findIndex((e) => e.streamId === after) + 1;
            resolve(stream.slice(from, from + count));
          }),
        ),
    },
  });
  const releaseAll = async () => {
    for (let i = 0; i < 20; i++) {
      held.splice(0).forEach((release) => release());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { recovery, releaseAll };
}

const messageIdsOf = (packets: unknown[][]) => packets.map((p) => (p[1] as { messageId: string }).messageId);

describe('Socket.IO recovery across notifications that have no stream id', () => {
  it('hands a restore in flight what went out without a stream id while it read the stream', async () => {
    const stream = [entry('1-0', 'm1'), entry('2-0', 'm2')];
    const { recovery, releaseAll } = recoveryWithHeldReads(stream, [allRoom]);
    recovery.broadcasted('1-0', live('m1', '1-0'));
    recovery.broadcasted('2-0', live('m2', '2-0'));
    const restoring = recovery.restore('pid-1', '1-0');
    // The replay append of m3 timed out: it goes out with a process-local offset.
    recovery.broadcasted('local:1', live('m3', 'local:1'));
    await releaseAll();
    const session = await restoring;
    expect(messageIdsOf(session?.missedPackets ?? [])).toEqual(['m2', 'm3']);
  });

  it('keeps broadcast order when the stream moved on during the read', async () => {
    const stream = [entry('1-0', 'm1'), entry('2-0', 'm2'), entry('3-0', 'm4')];
    const { recovery, releaseAll } = recoveryWithHeldReads(stream, [allRoom]);
    recovery.broadcasted('1-0', live('m1', '1-0'));
    const restoring = recovery.restore('pid-1', '1-0');
    recovery.broadcasted('2-0', live('m2', '2-0'));
    recovery.broadcasted('local:1', live('m3', 'local:1'));
    recovery.broadcasted('3-0', live('m4', '3-0'));
    await releaseAll();
    const session = await restoring;
    // The offset the client ends on is the newest notification's, a stream id it can recover from.
    expect(messageIdsOf(session?.missedPackets ?? [])).toEqual(['m2', 'm3', 'm4']);
    expect(session?.missedPackets.at(-1)?.at(-1)).toBe('3-0');
  });

  it('hands over only what the restored socket’s rooms would have received', async () => {
    const stream = [entry('1-0', 'm1')];
    const { recovery, releaseAll } = recoveryWithHeldReads(stream, [studentRoom(student)]);
    recovery.broadcasted('1-0', live('m1', '1-0'));
    const restoring = recovery.restore('pid-1', '1-0');
    recovery.broadcasted('local:1', live('m2', 'local:1', other));
    recovery.broadcasted('local:2', live('m3', 'local:2'));
    await releaseAll();
    expect(messageIdsOf((await restoring)?.missedPackets ?? [])).toEqual(['m3']);
  });

  it('gives a restore that starts afterwards nothing of what went out before it', async () => {
    const stream = [entry('1-0', 'm1')];
    const { recovery, releaseAll } = recoveryWithHeldReads(stream, [allRoom]);
    recovery.broadcasted('1-0', live('m1', '1-0'));
    recovery.broadcasted('local:1', live('m2', 'local:1'));
    const restoring = recovery.restore('pid-1', '1-0');
    await releaseAll();
    expect((await restoring)?.missedPackets).toEqual([]);
  });

  it('gives a notification once when its timed-out append lands within the range the restore reads', async () => {
    const stream = [entry('1-0', 'm1'), entry('2-0', 'm2'), entry('3-0', 'm3')];
    const { recovery, releaseAll } = recoveryWithHeldReads(stream, [allRoom]);
    recovery.broadcasted('1-0', live('m1', '1-0'));
    const restoring = recovery.restore('pid-1', '1-0');
    // m2 went out without a stream id, but its append landed at 2-0 before m3's.
    recovery.broadcasted('local:1', live('m2', 'local:1'));
    recovery.broadcasted('3-0', live('m3', '3-0'));
    await releaseAll();
    const packets = (await restoring)?.missedPackets ?? [];
    expect(messageIdsOf(packets)).toEqual(['m2', 'm3']);
    expect(packets[0]?.at(-1)).toBe('2-0');
  });

  it('gives up on recovery when Redis lost more than it can hold for one restore', async () => {
    const stream = [entry('1-0', 'm1')];
    const { recovery, releaseAll } = recoveryWithHeldReads(stream, [allRoom]);
    recovery.broadcasted('1-0', live('m1', '1-0'));
    const restoring = recovery.restore('pid-1', '1-0');
    for (let i = 0; i < 1_001; i++) recovery.broadcasted(`local:${i}`, live(`x${i}`, `local:${i}`));
    await releaseAll();
    expect(await restoring).toBeNull();
  });
});
