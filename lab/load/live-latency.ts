/**
 * Live end-to-end notification latency: listener processes join receipts with expectations as they
 * arrive (lab/measure/live-latency-join.ts), batch the samples per status interval, and the parent
 * replays them into the lab's Prometheus histogram (`lab_latency_seconds{kind="notification"}`).
 * The report's figures still come from the exact receipt join at the end of the run.
 */

/** Samples of one interval, grouped by histogram bucket: count and sum (seconds) per bucket. */
export interface LatencyBatch {
  counts: number[];
  sumsSec: number[];
}

/** Groups latency samples by the upper bounds `bucketsSec` (plus one +Inf bucket). */
export function createLatencyBatcher(bucketsSec: readonly number[]) {
  let batch = empty();
  let size = 0;
  function empty(): LatencyBatch {
    return {
      counts: new Array<number>(bucketsSec.length + 1).fill(0),
      sumsSec: new Array<number>(bucketsSec.length + 1).fill(0),
    };
  }
  return {
    add(latencySec: number): void {
      let i = bucketsSec.findIndex((upper) => latencySec <= upper);
      if (i < 0) i = bucketsSec.length;
      batch.counts[i]! += 1;
      batch.sumsSec[i]! += latencySec;
      size += 1;
    },
    /** The samples since the last drain, or undefined when there were none. */
    drain(): LatencyBatch | undefined {
      if (size === 0) return undefined;
      const drained = batch;
      batch = empty();
      size = 0;
      return drained;
    },
  };
}

/**
 * Feeds a batch to `observe`: each bucket's samples as its mean value, which lies inside the
 * bucket, so bucket counts and the histogram's sum are both exact.
 */
export function replayLatencyBatch(batch: LatencyBatch, observe: (latencySec: number) => void): void {
  batch.counts.forEach((count, i) => {
    const mean = (batch.sumsSec[i] ?? 0) / count;
    for (let n = 0; n < count; n++) observe(mean);
  });
}
