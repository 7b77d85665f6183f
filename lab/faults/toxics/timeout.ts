import { readCount } from './attributes.ts';
import type { ToxicDefinition } from './toxic.ts';

export interface TimeoutAttributes {
  /** Close the connection this many milliseconds after the toxic starts; 0 = never (black hole). */
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
  parseAttributes: (input) => ({ timeout: readCount(input, 'timeout', 0) }),
  createState: () => undefined,
  createStage({ timeout }, { out }) {
    const timer = timeout > 0 ? setTimeout(() => out.end(), timeout) : undefined;
    return {
      write: () => undefined,
      end() {
        clearTimeout(timer);
        out.end();
      },
      stop: () => clearTimeout(timer),
    };
  },
};
