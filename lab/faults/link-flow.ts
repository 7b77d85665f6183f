import type net from 'node:net';
import type { HeldBytes } from './toxics/toxic.ts';

/**
 * Bytes one direction of a connection may hold inside its toxics before the proxy stops reading
 * the source. Toxiproxy holds about a chunk per toxic (its channels are unbuffered, latency's
 * holds up to 1,024 chunks); 512 KiB is 8 socket reads. It bounds memory per connection, and it
 * caps throughput through a latency toxic at 512 KiB per latency period (about 5 MB/s at 100 ms).
 */
export const LINK_HIGH_WATER_BYTES = 512 * 1024;

export interface LinkFlow {
  /** Handed to the toxics of this direction: every byte they hold back counts towards the mark. */
  readonly held: HeldBytes;
  heldBytes(): number;
  /** Start reading the source (the client waits until the upstream has connected). */
  start(): void;
  /** Re-evaluate after writing to the destination. */
  check(): void;
}

/**
 * Reads the source only while the direction holds less than the high-water mark and the
 * destination socket accepts more: a slow toxic or a slow reader pushes back on the sender
 * through TCP, as it does through Toxiproxy.
 */
export function createLinkFlow(
  source: net.Socket,
  dest: net.Socket,
  highWaterBytes = LINK_HIGH_WATER_BYTES,
): LinkFlow {
  let heldBytes = 0;
  let started = false;
  let paused = false;

  const check = (): void => {
    if (!started || source.destroyed) return;
    const blocked = heldBytes >= highWaterBytes || dest.writableNeedDrain;
    if (blocked && !paused) {
      paused = true;
      source.pause();
    } else if (!blocked && paused) {
      paused = false;
      source.resume();
    }
  };
  dest.on('drain', check);

  return {
    held: {
      add(bytes) {
        heldBytes += bytes;
        check();
      },
      remove(bytes) {
        heldBytes -= bytes;
        check();
      },
    },
    heldBytes: () => heldBytes,
    start() {
      started = true;
      source.resume();
      check();
    },
    check,
  };
}
