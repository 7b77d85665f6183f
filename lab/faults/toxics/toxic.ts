/**
 * The contract every toxic implements. A toxic definition validates its attributes once (API time);
 * a stage is one toxic applied to one direction of one connection, created per link so timers and
 * counters never leak between connections.
 */

export type ToxicType =
  'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'limit_data' | 'slicer';

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

export interface StageContext<S> {
  out: ToxicOutput;
  /** Uniform in [0, 1); injectable so jitter and slicing are reproducible in tests. */
  random: () => number;
  /** Monotonic clock in milliseconds. */
  now: () => number;
  /** Per-link state that survives attribute updates (limit_data's byte count). */
  state: S;
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
