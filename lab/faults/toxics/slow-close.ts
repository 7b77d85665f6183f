import { readDuration } from './attributes.ts';
import { setTimeoutAt } from './due-timer.ts';
import type { ToxicDefinition } from './toxic.ts';

export interface SlowCloseAttributes {
  /** How long the close is held back after the source closed, in milliseconds; negative acts as 0. */
  delay: number;
}

/** Data passes untouched; only the close waits. */
export const slowCloseToxic: ToxicDefinition<SlowCloseAttributes> = {
  type: 'slow_close',
  parseAttributes: (input) => ({ delay: readDuration(input, 'delay') }),
  createState: () => undefined,
  createStage({ delay }, { out, now }) {
    let cancel: (() => void) | undefined;
    return {
      write: (chunk) => out.push(chunk),
      end() {
        cancel ??= setTimeoutAt(now() + delay, now, () => out.end());
      },
      stop: () => cancel?.(),
    };
  },
};
