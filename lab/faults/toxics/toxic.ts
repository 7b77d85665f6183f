/**
 * The contract every toxic implements. A toxic definition validates its attributes once (API time);
 * a stage is one toxic applied to one direction of one connection, created per link so timers and
 * counters never leak between connections.
 */

export type ToxicType =
  'noop' | 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'limit_data' | 'slicer';

/** upstream = client → server, downstream = server → client (Toxiproxy's naming). */
export type ToxicStream = 'upstream' | 'downstream';

/** Where a stage sends what it lets through: the next stage, or the destination socket. */
export interface ToxicOutput {
  push(chunk: Buffer): void;
  /** Close the connection gracefully once everything pushed before has been written. */
  end(): void;
  /** Abort the connection with a TCP RST on both sides. */
  reset(): void;
}

export interface ToxicStage {
  write(chunk: Buffer): void;
  /** The previous stage (or the source socket) has closed. */
  end(): void;
  /**
   * Cancel timers. With flush=true the toxic is being removed or replaced on a live link:
   * hand every held chunk to the output now (Toxiproxy never drops data on interrupt), but
   * do not end it; the chain forwards a pending end itself.
   */
  stop(flush: boolean): void;
}

/**
 * Bytes a stage is holding back for later release. The link adds them up per direction and stops
 * reading the source above its high-water mark, so a slow toxic pushes back on the sender instead
 * of buffering without bound.
 */
export interface HeldBytes {
  add(bytes: number): void;
  remove(bytes: number): void;
}

export interface StageContext<S> {
  out: ToxicOutput;
  /** Uniform in [0, 1); injectable so jitter and slicing are reproducible in tests. */
  random: () => number;
  /** Monotonic clock in milliseconds. */
  now: () => number;
  /** Per-link state that survives attribute updates (limit_data's byte count). */
  state: S;
  /** Where a stage accounts for the bytes it holds; every byte added is removed once pushed or dropped. */
  held: HeldBytes;
  /**
   * True when the connection opened with a reset_peer toxic in place: Toxiproxy sets SO_LINGER 0 on
   * both sockets only then, so its close is a RST. A reset_peer added later closes with a plain FIN.
   */
  closeWithReset: boolean;
}

export interface ToxicDefinition<A extends object = object, S = undefined> {
  type: ToxicType;
  /** Throws ToxicAttributeError; returns every attribute with defaults filled in (Toxiproxy echoes all). */
  parseAttributes(input: Record<string, unknown>): A;
  createState(): S;
  createStage(attributes: A, ctx: StageContext<S>): ToxicStage;
  /** Removing this toxic from a live link closes the link (Toxiproxy's timeout Cleanup does this). */
  closesLinkOnRemove?: boolean;
}

export class ToxicAttributeError extends Error {
  override name = 'ToxicAttributeError';
}
