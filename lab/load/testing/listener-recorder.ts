import type { ListenerEvents } from '../listener-connections.ts';

export interface RecordedListener {
  opened: { recovered: boolean }[];
  lost: number;
  failed: number;
  notifications: { type: string; correlationId: string; receivedAtUs: number }[];
}

/**
 * A listener's events as a record, and `until(condition)`, which resolves as soon as an event makes
 * the condition true (tests wait for events, never sleep) and rejects after `timeoutMs`.
 */
export function recordListener(timeoutMs = 4000): {
  events: ListenerEvents;
  seen: RecordedListener;
  until(condition: (seen: RecordedListener) => boolean, what: string): Promise<void>;
} {
  const seen: RecordedListener = { opened: [], lost: 0, failed: 0, notifications: [] };
  const waiters = new Set<() => void>();
  const changed = (): void => {
    for (const check of waiters) check();
  };
  return {
    seen,
    events: {
      opened: (info) => void (seen.opened.push(info), changed()),
      lost: () => void ((seen.lost += 1), changed()),
      failed: () => void ((seen.failed += 1), changed()),
      notification(type, correlationId, receivedAtUs) {
        seen.notifications.push({ type, correlationId, receivedAtUs });
        changed();
      },
    },
    until: (condition, what) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`not within ${timeoutMs} ms: ${what} (seen ${JSON.stringify(seen)})`));
        }, timeoutMs);
        const check = (): void => {
          if (!condition(seen)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
  };
}
