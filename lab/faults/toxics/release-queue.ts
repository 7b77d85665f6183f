import type { ToxicOutput } from './toxic.ts';

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
 * for the one in front of it. One timer per queue, re-armed for the head.
 */
export function createReleaseQueue(out: ToxicOutput, now: () => number): ReleaseQueue {
  const held: Held[] = [];
  let timer: NodeJS.Timeout | undefined;

  const release = (): void => {
    timer = undefined;
    while (held.length > 0) {
      const head = held[0]!;
      const waitMs = head.dueAt - now();
      if (waitMs > 0) {
        timer = setTimeout(release, waitMs);
        return;
      }
      held.shift();
      if (head.kind === 'data') out.push(head.chunk);
      else out.end();
    }
  };

  const enqueue = (item: Held): void => {
    held.push(item);
    if (timer === undefined && held.length === 1) release();
  };

  return {
    push: (chunk, dueAt) => enqueue({ kind: 'data', chunk, dueAt }),
    end: (dueAt) => enqueue({ kind: 'end', dueAt }),
    lastDueAt: () => (held.length > 0 ? held[held.length - 1]!.dueAt : -Infinity),
    stop(flush) {
      clearTimeout(timer);
      timer = undefined;
      const pending = held.splice(0);
      if (!flush) return;
      for (const item of pending) if (item.kind === 'data') out.push(item.chunk);
    },
  };
}
