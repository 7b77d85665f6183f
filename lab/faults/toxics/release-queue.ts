import { setTimeoutAt } from './due-timer.ts';
import type { HeldBytes, ToxicOutput } from './toxic.ts';

type Held = { kind: 'data'; chunk: Buffer; dueAt: number } | { kind: 'end'; dueAt: number };

export interface ReleaseQueue {
  /** Queue a chunk to be pushed at dueAt (ms, same clock as now()); releases keep FIFO order. */
  push(chunk: Buffer, dueAt: number): void;
  /** Queue the end after everything already held. */
  end(dueAt: number): void;
  /** Time the last queued item is due (ms), or -Infinity when empty. */
  lastDueAt(): number;
  stop(flush: boolean): void;
}

/**
 * Holds items until their due time and releases them strictly in arrival order, the way a
 * Toxiproxy stub processes one chunk at a time: a chunk with a shorter jittered delay still waits
 * for the one in front of it. One timer per queue, re-armed for the head. Every held byte is
 * reported to `held`, which is how the link knows to stop reading a fast sender.
 */
export function createReleaseQueue(out: ToxicOutput, now: () => number, held: HeldBytes): ReleaseQueue {
  const items: Held[] = [];
  let cancel: (() => void) | undefined;

  const take = (): Held => {
    const head = items.shift()!;
    if (head.kind === 'data') held.remove(head.chunk.length);
    return head;
  };
  const release = (): void => {
    cancel = undefined;
    while (items.length > 0) {
      const head = items[0]!;
      if (head.dueAt > now()) {
        cancel = setTimeoutAt(head.dueAt, now, release);
        return;
      }
      take();
      if (head.kind === 'data') out.push(head.chunk);
      else out.end();
    }
  };

  const enqueue = (item: Held): void => {
    items.push(item);
    if (item.kind === 'data') held.add(item.chunk.length);
    if (cancel === undefined && items.length === 1) release();
  };

  return {
    push: (chunk, dueAt) => enqueue({ kind: 'data', chunk, dueAt }),
    end: (dueAt) => enqueue({ kind: 'end', dueAt }),
    lastDueAt: () => (items.length > 0 ? items[items.length - 1]!.dueAt : -Infinity),
    stop(flush) {
      cancel?.();
      cancel = undefined;
      while (items.length > 0) {
        const item = take();
        if (flush && item.kind === 'data') out.push(item.chunk);
      }
    },
  };
}
