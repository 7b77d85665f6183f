import { readCount } from './attributes.ts';
import { createReleaseQueue } from './release-queue.ts';
import { ToxicAttributeError, type ToxicDefinition } from './toxic.ts';

export interface SlicerAttributes {
  /** Average piece size in bytes. */
  average_size: number;
  /** Pieces vary by ± this many bytes; must be smaller than average_size. */
  size_variation: number;
  /** Pause between pieces, in microseconds. */
  delay: number;
}

/**
 * Split points for [start, end): halve around the middle ± variation until a piece is within
 * variation of the average (Toxiproxy's recursive chunking, so no bias towards small tails).
 */
export function sliceOffsets(
  start: number,
  end: number,
  { average_size, size_variation }: SlicerAttributes,
  random: () => number,
): number[] {
  if (end - start - average_size <= size_variation) return [end];
  const shift = size_variation > 0 ? Math.floor(random() * 2 * size_variation) - size_variation : 0;
  const mid = Math.min(end - 1, Math.max(start + 1, start + Math.floor((end - start) / 2) + shift));
  return [
    ...sliceOffsets(start, mid, { average_size, size_variation, delay: 0 }, random),
    ...sliceOffsets(mid, end, { average_size, size_variation, delay: 0 }, random),
  ];
}

export const slicerToxic: ToxicDefinition<SlicerAttributes> = {
  type: 'slicer',
  parseAttributes(input) {
    const attributes = {
      average_size: readCount(input, 'average_size', 0),
      size_variation: readCount(input, 'size_variation', 0),
      delay: readCount(input, 'delay', 0),
    };
    // Guards Toxiproxy leaves out: a zero average never terminates, a variation >= average can yield empty pieces.
    if (attributes.average_size < 1)
      throw new ToxicAttributeError('attribute average_size must be at least 1');
    if (attributes.size_variation >= attributes.average_size) {
      throw new ToxicAttributeError('attribute size_variation must be smaller than average_size');
    }
    return attributes;
  },
  createState: () => undefined,
  createStage(attributes, { out, random, now }) {
    const queue = createReleaseQueue(out, now);
    const gapMs = attributes.delay / 1000;
    // Each piece leaves gapMs after the previous one, also across chunks, as the Go stub sleeps between pieces.
    let freeAt = -Infinity;
    return {
      write(chunk) {
        let from = 0;
        let at = Math.max(freeAt, now());
        for (const to of sliceOffsets(0, chunk.length, attributes, random)) {
          queue.push(chunk.subarray(from, to), at);
          from = to;
          at += gapMs;
        }
        freeAt = at;
      },
      end: () => queue.end(Math.max(queue.lastDueAt(), now())),
      stop: (flush) => queue.stop(flush),
    };
  },
};
