import type { Socket } from 'node:net';
import type { DropReason } from './notifications-metrics.ts';
import { compareStreamIds } from './redis-replay-store.ts';

export interface SseClientOptions {
  id: string;
  /**
   * Where frames go once the headers are out: the response's own socket. The stream has no
   * chunked framing, so its bytes are the socket's bytes, and writing them there skips the HTTP
   * layer's per-write cork (which would hold every SSE frame back until the whole fan-out,
   * Socket.IO included, had run) and its per-write ticks and allocations.
   */
  out: Pick<
    Socket,
    'write' | 'writableLength' | 'writableNeedDrain' | 'once' | 'off' | 'cork' | 'uncork' | 'end' | 'destroy'
  >;
  types: Set<string> | undefined;
  /** Unsent bytes (ours plus the socket's) above which the client is dropped. */
  maxBufferedBytes: number;
  /** A client still not drained after this many milliseconds is dropped. */
  drainTimeoutMs: number;
  onDrop: (client: SseClient, reason: DropReason) => void;
}

/** How long an ended stream may take to flush before its connection is cut, in milliseconds. */
const endGraceMs = 1_000;

/** Live notifications held back while a reconnecting client is replayed. */
interface Held {
  messageId: string;
  frame: Buffer;
}

/**
 * One SSE connection with a bounded buffer: writes never block, and a client that cannot keep up
 * (too many unsent bytes, or no drain within the deadline) is destroyed, freeing its buffer.
 */
export class SseClient {
  readonly id: string;
  readonly types: Set<string> | undefined;
  private readonly options: SseClientOptions;
  private drainTimer: NodeJS.Timeout | undefined;
  private held: Held[] | undefined;
  /** Stream id of the last entry replay sent (or skipped by type filter). */
  private replayedThrough: string | undefined;
  closed = false;
  /** When a notification frame was last written (ms since epoch): recent data stands in for a heartbeat. */
  wroteAtMs = 0;

  constructor(options: SseClientOptions) {
    this.options = options;
    this.id = options.id;
    this.types = options.types;
  }

  wants(type: string): boolean {
    return this.types === undefined || this.types.has(type);
  }

  /** Writes a frame; returns false when the client is (or has just been) dropped. */
  write(frame: string | Buffer): boolean {
    if (this.closed) return false;
    const { out, maxBufferedBytes, drainTimeoutMs } = this.options;
    if (out.write(frame)) return true;
    if (out.writableLength > maxBufferedBytes) {
      this.drop('buffer');
      return false;
    }
    if (!this.drainTimer) {
      this.drainTimer = setTimeout(() => this.drop('stalled'), drainTimeoutMs);
      out.once('drain', () => {
        clearTimeout(this.drainTimer);
        this.drainTimer = undefined;
      });
    }
    return true;
  }

  /** Holds writes until `uncork`, which sends them in one system call (a batch of notifications). */
  cork(): void {
    if (!this.closed) this.options.out.cork();
  }

  uncork(): void {
    this.options.out.uncork();
  }

  /** Resolves when the socket has drained (or the client is gone). */
  drained(): Promise<void> {
    const { out } = this.options;
    if (this.closed || !out.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.once('drain', done);
      out.once('close', done);
    });
  }

  /** While replaying, live notifications are held here instead of written. */
  hold(): void {
    this.held = [];
  }

  /**
   * True when replay already sent the live notification at `streamId`. The broadcaster appends to
   * the stream before it fans out, so a client replayed in between would otherwise get it twice.
   */
  replayedAlready(streamId: string | undefined): boolean {
    return (
      streamId !== undefined &&
      this.replayedThrough !== undefined &&
      compareStreamIds(streamId, this.replayedThrough) <= 0
    );
  }

  holding(messageId: string, frame: Buffer): boolean {
    if (!this.held) return false;
    this.held.push({ messageId, frame });
    return true;
  }

  /** Writes what was held during replay, skipping what replay already sent. */
  release(sent: Set<string>, replayedThrough?: string): number {
    const held = this.held ?? [];
    this.held = undefined;
    this.replayedThrough = replayedThrough;
    let written = 0;
    for (const { messageId, frame } of held) {
      if (!sent.has(messageId) && this.write(frame)) written++;
    }
    return written;
  }

  drop(reason: DropReason): void {
    if (this.closed) return;
    this.options.onDrop(this, reason);
    this.options.out.destroy();
    this.dispose();
  }

  /** Ends the stream politely (shutdown). */
  end(): void {
    if (this.closed) return;
    // Closed once our end is flushed, as the HTTP server closes a `Connection: close` response's
    // socket: the stream is the connection's only use. A client that stopped reading never lets
    // it flush, and the connection is no longer the HTTP server's to cut at shutdown: it is cut
    // here after a grace period.
    const { out } = this.options;
    out.end(() => out.destroy());
    setTimeout(() => out.destroy(), endGraceMs).unref();
    this.dispose();
  }

  dispose(): void {
    this.closed = true;
    clearTimeout(this.drainTimer);
    this.held = undefined;
  }
}
