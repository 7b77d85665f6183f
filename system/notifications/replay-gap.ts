import { randomUUID } from 'node:crypto';
import type { GapReason } from './sse-frames.ts';
import type { ReplayEntry, ReplayStore } from './redis-replay-store.ts';

/**
 * A replay buffer entry that stands for notifications the buffer does not hold: the stream type
 * of a gap marker. A client replaying past it is sent a `gap` event instead of silence.
 */
export const gapEntryType = 'gap';

export const isGapEntry = (entry: Pick<ReplayEntry, 'type'>): boolean => entry.type === gapEntryType;

/** The reason a gap marker records (`replay-unavailable` when it cannot be read). */
export function gapReasonOf(entry: Pick<ReplayEntry, 'json'>): GapReason {
  try {
    const { reason } = JSON.parse(entry.json) as { reason?: GapReason };
    return reason ?? 'replay-unavailable';
  } catch {
    return 'replay-unavailable';
  }
}

export interface GapMarker {
  /** Records a gap at the current end of the buffer; retried until the buffer takes it. */
  mark(reason: GapReason): void;
  /** Stops retrying (shutdown). */
  close(): void;
}

/**
 * Writes gap markers into the replay buffer. Called when notifications went by without being
 * buffered (an append failed, the instance queue expired while the broker was away); while the
 * buffer itself is unavailable the marker is retried every `retryMs` (default 1,000), and several
 * gaps meanwhile become one marker.
 */
export function createGapMarker(options: {
  replay: Pick<ReplayStore, 'append'>;
  onError?: (error: unknown) => void;
  retryMs?: number;
}): GapMarker {
  const { replay, onError, retryMs = 1_000 } = options;
  let pending: GapReason | undefined;
  let writing = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function write(): Promise<void> {
    if (writing || closed || pending === undefined) return;
    writing = true;
    const reason = pending;
    try {
      await replay.append({
        messageId: `gap:${randomUUID()}`,
        type: gapEntryType,
        json: JSON.stringify({ reason }),
      });
      if (pending === reason) pending = undefined;
    } catch (error) {
      onError?.(error);
      timer = setTimeout(() => void write(), retryMs);
      timer.unref();
    } finally {
      writing = false;
    }
  }

  return {
    mark(reason) {
      pending = reason;
      void write();
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
