import { readCount } from './attributes.ts';
import type { ToxicDefinition } from './toxic.ts';

export interface ResetPeerAttributes {
  /** Delay before the reset, in milliseconds, counted from the first chunk (or close) seen. */
  timeout: number;
}

/**
 * Like Toxiproxy's ResetToxic: waits for traffic in its direction, drops it, and after `timeout`
 * aborts the connection with RST (SO_LINGER 0) on both sockets, so peers see ECONNRESET.
 */
export const resetPeerToxic: ToxicDefinition<ResetPeerAttributes> = {
  type: 'reset_peer',
  parseAttributes: (input) => ({ timeout: readCount(input, 'timeout', 0) }),
  createState: () => undefined,
  createStage({ timeout }, { out }) {
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      timer ??= setTimeout(() => out.reset(), timeout);
    };
    return { write: arm, end: arm, stop: () => clearTimeout(timer) };
  },
};
