/** Turns single calls into batches: while `lanes` batches run, new calls wait and leave together. */
export interface GroupBatcher<I, O> {
  submit(item: I): Promise<O>;
}

export interface GroupBatcherOptions<I, O> {
  /**
   * Runs one batch; resolves with one result per item, in order (an `Error` in a slot fails just
   * that item). A rejection fails every item of the batch.
   */
  run(items: I[]): Promise<(O | Error)[]>;
  /** Largest batch. */
  maxBatch: number;
  /** Batches in flight at once. */
  lanes: number;
  /** Called with each batch's size (metrics). */
  onBatch?(size: number): void;
}

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit for arbitrary work: a call made while every lane is busy joins the next batch, so
 * a lone caller (prefetch 1) runs at once, alone, and concurrent callers share one round of work
 * (one transaction instead of one each). No timer: batching costs no added latency.
 */
export function createGroupBatcher<I, O>(options: GroupBatcherOptions<I, O>): GroupBatcher<I, O> {
  const queue: Waiting<I, O>[] = [];
  let active = 0;

  function pump(): void {
    while (active < options.lanes && queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
      active += 1;
      options.onBatch?.(batch.length);
      void options
        .run(batch.map((w) => w.item))
        .then(
          (results) =>
            batch.forEach((w, i) => {
              const result = results[i];
              if (result instanceof Error) w.reject(result);
              else if (i < results.length) w.resolve(result as O);
              else w.reject(new Error(`batch returned ${results.length} results for ${batch.length} items`));
            }),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          active -= 1;
          pump();
        });
    }
  }

  return {
    submit: (item) =>
      new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      }),
  };
}
