/**
 * Splits points sorted by time into runs with no gap longer than `maxGapSec` and tags each point
 * with its run's number, so a line drawn per `segment` breaks where no data was recorded instead of
 * bridging the gap with a slope nobody measured.
 */
export function withSegments<T extends { tSec: number }>(
  points: readonly T[],
  maxGapSec: number,
): (T & { segment: number })[] {
  let segment = 0;
  return [...points]
    .sort((a, b) => a.tSec - b.tSec)
    .map((p, i, sorted) => {
      const previous = sorted[i - 1];
      if (previous !== undefined && p.tSec - previous.tSec > maxGapSec) segment += 1;
      return { ...p, segment };
    });
}
