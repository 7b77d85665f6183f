import { readDuration } from './attributes.ts';
import { setTimeoutAt } from './due-timer.ts';
import type { ToxicDefinition } from './toxic.ts';

export interface TimeoutAttributes {
  /** Close the connection this many milliseconds after the toxic starts; 0 or less = never (black hole), as in Toxiproxy. */
  timeout: number;
}

/**
 * Drops every chunk on the floor. The clock starts when the toxic is applied to the link (at
 * connect, or when added to an open connection). As in Toxiproxy, removing the toxic closes the
 * links it was active on rather than letting traffic resume: the dropped bytes are gone.
 */
export const timeoutToxic: ToxicDefinition<TimeoutAttributes> = {
  type: 'timeout',
  closesLinkOnRemove: true,
  parseAttributes: (input) => ({ timeout: readDuration(input, 'timeout') }),
  createState: () => undefined,
  createStage({ timeout }, { out, now }) {
    const cancel = timeout > 0 ? setTimeoutAt(now() + timeout, now, () => out.end()) : undefined;
    return {
      write: () => undefined,
      end() {
        cancel?.();
        out.end();
      },
      stop: () => cancel?.(),
    };
  },
};
