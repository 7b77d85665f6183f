import { readDuration } from './attributes.ts';
import { setTimeoutAt } from './due-timer.ts';
import type { ToxicDefinition } from './toxic.ts';

export interface ResetPeerAttributes {
  /** Delay before the close, in milliseconds, counted from the first chunk (or close) seen; negative acts as 0. */
  timeout: number;
}

/**
 * Like Toxiproxy's ResetToxic: waits for traffic in its direction, drops it, and after `timeout`
 * closes the connection. On a connection that opened with the toxic in place the close is a RST
 * on both sockets (Toxiproxy sets SO_LINGER 0 at connect), so peers see ECONNRESET; a toxic added
 * to an open connection closes it with a plain FIN, as Toxiproxy does.
 */
export const resetPeerToxic: ToxicDefinition<ResetPeerAttributes> = {
  type: 'reset_peer',
  parseAttributes: (input) => ({ timeout: readDuration(input, 'timeout') }),
  createState: () => undefined,
  createStage({ timeout }, { out, now, closeWithReset }) {
    let cancel: (() => void) | undefined;
    const close = (): void => (closeWithReset ? out.reset() : out.end());
    const arm = (): void => {
      cancel ??= setTimeoutAt(now() + Math.max(0, timeout), now, close);
    };
    return { write: arm, end: arm, stop: () => cancel?.() };
  },
};
