import { readInteger } from './attributes.ts';
import type { ToxicDefinition } from './toxic.ts';

export interface LimitDataAttributes {
  /** Bytes let through before the connection is closed; 0 or less closes on the first chunk, as in Toxiproxy. */
  bytes: number;
}

export interface LimitDataState {
  /** Bytes already let through on this link; kept when the toxic's attributes are updated. */
  transmitted: number;
}

export const limitDataToxic: ToxicDefinition<LimitDataAttributes, LimitDataState> = {
  type: 'limit_data',
  parseAttributes: (input) => ({ bytes: readInteger(input, 'bytes') }),
  createState: () => ({ transmitted: 0 }),
  createStage({ bytes }, { out, state }) {
    let closed = false;
    return {
      write(chunk) {
        if (closed) return;
        const allowed = chunk.subarray(0, Math.max(0, bytes - state.transmitted));
        if (allowed.length > 0) {
          state.transmitted += allowed.length;
          out.push(allowed);
        }
        if (state.transmitted >= bytes) {
          closed = true;
          out.end();
        }
      },
      end() {
        closed = true;
        out.end();
      },
      stop: () => undefined,
    };
  },
};
