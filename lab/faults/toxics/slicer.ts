import { readDuration, readInteger } from './attributes.ts';
import { setTimeoutAt } from './due-timer.ts';
import { ToxicAttributeError, type ToxicDefinition } from './toxic.ts';

export interface SlicerAttributes {
  /** Average piece size in bytes. */
  average_size: number;
  /** Pieces vary by ± this many bytes; at most average_size. */
  size_variation: number;
  /** Pause after each piece, in microseconds; negative acts as 0. */
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

/**
 * Toxiproxy accepts these and then crashes on the first byte: with a variation above the average
 * it slices out of bounds, and when average + variation is below 1 its recursion never ends.
 */
function checkSlicer(attributes: SlicerAttributes): SlicerAttributes {
  const { average_size, size_variation } = attributes;
  if (size_variation > average_size) {
    throw new ToxicAttributeError('attribute size_variation must not exceed average_size');
  }
  if (average_size + Math.min(size_variation, 0) < 1) {
    throw new ToxicAttributeError(
      'attribute average_size (plus a negative size_variation) must be at least 1',
    );
  }
  return attributes;
}

/**
 * Sends each chunk as pieces with a pause after each, one chunk at a time like the Go stub: the
 * next chunk is only split once the previous one is out, so a tiny average_size never turns a
 * held chunk into thousands of queued pieces.
 */
export const slicerToxic: ToxicDefinition<SlicerAttributes> = {
  type: 'slicer',
  parseAttributes: (input) =>
    checkSlicer({
      average_size: readInteger(input, 'average_size'),
      size_variation: readInteger(input, 'size_variation'),
      delay: readDuration(input, 'delay', 1000),
    }),
  createState: () => undefined,
  createStage(attributes, { out, random, now, held }) {
    const gapMs = Math.max(0, attributes.delay) / 1000;
    const chunks: Buffer[] = [];
    let pieces: Buffer[] = [];
    let ended = false;
    // When the next piece may leave (ms): also across chunks, as the Go stub sleeps after every piece.
    let freeAt = -Infinity;
    let cancel: (() => void) | undefined;

    const split = (chunk: Buffer): Buffer[] => {
      let from = 0;
      return sliceOffsets(0, chunk.length, attributes, random).map((to) => chunk.subarray(from, (from = to)));
    };
    const pump = (): void => {
      cancel = undefined;
      for (;;) {
        if (pieces.length === 0) {
          const next = chunks.shift();
          if (next === undefined) break;
          pieces = split(next);
        }
        if (freeAt > now()) {
          cancel = setTimeoutAt(freeAt, now, pump);
          return;
        }
        const piece = pieces.shift()!;
        held.remove(piece.length);
        freeAt = now() + gapMs;
        out.push(piece);
      }
      if (ended) out.end();
    };

    return {
      write(chunk) {
        chunks.push(chunk);
        held.add(chunk.length);
        if (cancel === undefined && chunks.length === 1 && pieces.length === 0) pump();
      },
      end() {
        ended = true;
        if (cancel === undefined && chunks.length === 0 && pieces.length === 0) out.end();
      },
      stop(flush) {
        cancel?.();
        cancel = undefined;
        const rest = [...pieces, ...chunks.splice(0)];
        pieces = [];
        for (const buffer of rest) {
          held.remove(buffer.length);
          if (flush) out.push(buffer);
        }
      },
    };
  },
};
