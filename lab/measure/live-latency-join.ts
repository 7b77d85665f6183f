/**
 * The live side of the receipt join, inside a listener process: the parent forwards each
 * expectation (correlation id → intended send) as it is made, and every receipt becomes a latency
 * sample the moment both halves are known. A receipt may win the race against its expectation
 * (the expectation travels over IPC, the notification through the system), so it waits in
 * `pending` until the expectation arrives. The run's final figures still come from
 * {@link joinReceipts} at the end; these samples feed the live Prometheus histogram.
 */
export interface LiveLatencyJoin<Tag extends string> {
  expect(correlationId: string, intendedSendUs: number): void;
  receipt(tag: Tag, correlationId: string, receivedAtUs: number): void;
  /** Receipts still waiting for their expectation. */
  pending(): number;
  /** Receipts dropped from `pending` because it was full (their expectation never came). */
  dropped(): number;
}

export interface LiveLatencyJoinOptions<Tag extends string> {
  onLatency(tag: Tag, latencyUs: number): void;
  /** Most receipts kept waiting for an expectation; the oldest goes first. Default 100,000. */
  maxPending?: number;
}

interface Waiting<Tag> {
  tag: Tag;
  receivedAtUs: number;
}

export function createLiveLatencyJoin<Tag extends string>(
  options: LiveLatencyJoinOptions<Tag>,
): LiveLatencyJoin<Tag> {
  const maxPending = options.maxPending ?? 100_000;
  const intendedById = new Map<string, number>();
  // Insertion-ordered, so the first key is the oldest waiting correlation id.
  const waiting = new Map<string, Waiting<Tag>[]>();
  let pendingCount = 0;
  let droppedCount = 0;

  const dropOldest = (): void => {
    const oldest = waiting.keys().next();
    if (oldest.done) return;
    const list = waiting.get(oldest.value) ?? [];
    list.shift();
    pendingCount -= 1;
    droppedCount += 1;
    if (list.length === 0) waiting.delete(oldest.value);
  };

  return {
    expect(correlationId, intendedSendUs) {
      intendedById.set(correlationId, intendedSendUs);
      const list = waiting.get(correlationId);
      if (!list) return;
      waiting.delete(correlationId);
      pendingCount -= list.length;
      for (const w of list) options.onLatency(w.tag, w.receivedAtUs - intendedSendUs);
    },
    receipt(tag, correlationId, receivedAtUs) {
      const intendedSendUs = intendedById.get(correlationId);
      if (intendedSendUs !== undefined) return options.onLatency(tag, receivedAtUs - intendedSendUs);
      if (pendingCount >= maxPending) dropOldest();
      const list = waiting.get(correlationId);
      if (list) list.push({ tag, receivedAtUs });
      else waiting.set(correlationId, [{ tag, receivedAtUs }]);
      pendingCount += 1;
    },
    pending: () => pendingCount,
    dropped: () => droppedCount,
  };
}
