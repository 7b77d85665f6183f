import { readCount } from './attributes.ts';
import type { ToxicDefinition } from './toxic.ts';

export interface SlowCloseAttributes {
  /** How long the close is held back after the source closed, in milliseconds. */
  delay: number;
}

/** Data passes untouched; only the close waits. */
export const slowCloseToxic: ToxicDefinition<SlowCloseAttributes> = {
  type: 'slow_close',
  parseAttributes: (input) => ({ delay: readCount(input, 'delay', 0) }),
  createState: () => undefined,
  createStage({ delay }, { out }) {
    let timer: NodeJS.Timeout | undefined;
    return {
      write: (chunk) => out.push(chunk),
      end() {
        timer ??= setTimeout(() => out.end(), delay);
      },
      stop: () => clearTimeout(timer),
    };
  },
};
