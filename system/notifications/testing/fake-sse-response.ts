import { EventEmitter } from 'node:events';

/** The slice of ServerResponse the hub uses; `accepting` decides what write() answers. */
export class FakeSseResponse extends EventEmitter {
  chunks: string[] = [];
  accepting = true;
  writableLength = 0;
  destroyed = false;
  ended = false;
  writableNeedDrain = false;
  removeHeader(): void {}
  writeHead(): this {
    return this;
  }
  flushHeaders(): void {}
  corked = 0;
  cork(): void {
    this.corked++;
  }
  uncork(): void {
    this.corked--;
  }
  /** Frames go to the response's socket once the headers are out: here, the fake itself. */
  get socket(): this {
    return this;
  }
  write(chunk: string | Buffer): boolean {
    this.chunks.push(chunk.toString());
    if (!this.accepting) this.writableLength += chunk.length;
    return this.accepting;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
  end(done?: () => void): void {
    this.ended = true;
    this.emit('close');
    done?.();
  }
}
