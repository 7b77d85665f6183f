import { readNonNegative } from './attributes.ts';
import { createReleaseQueue } from './release-queue.ts';
import type { ToxicDefinition } from './toxic.ts';

export interface BandwidthAttributes {
  /** Cap in KB/s, where KB = 1000 bytes as in Toxiproxy (rate bytes per millisecond). 0 = no cap. */
  rate: number;
}

/** Toxiproxy sends big chunks in pieces worth 100 ms of the rate so a slow link still trickles. */
const PIECE_MS = 100;

export const bandwidthToxic: ToxicDefinition<BandwidthAttributes> = {
  type: 'bandwidth',
  // A negative rate crashes Toxiproxy (it slices a chunk at a negative index), so it is refused.
  parseAttributes: (input) => ({ rate: readNonNegative(input, 'rate') }),
  createState: () => undefined,
  createStage({ rate }, { out, now, held }) {
    const queue = createReleaseQueue(out, now, held);
    const pieceBytes = rate * PIECE_MS;
    // When the link is next free to send, in ms: a piece is released once its transmission time has elapsed.
    let freeAt = -Infinity;
    return {
      write(chunk) {
        if (rate === 0) {
          queue.push(chunk, now());
          return;
        }
        for (let offset = 0; offset < chunk.length; offset += pieceBytes) {
          const piece = chunk.subarray(offset, offset + pieceBytes);
          freeAt = Math.max(freeAt, now()) + piece.length / rate;
          queue.push(piece, freeAt);
        }
      },
      end: () => queue.end(now()),
      stop: (flush) => queue.stop(flush),
    };
  },
};
