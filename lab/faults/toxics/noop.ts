import type { ToxicDefinition } from './toxic.ts';

/** Toxiproxy registers a pass-through toxic under this name, and scripts use it as a placeholder. */
export const noopToxic: ToxicDefinition<Record<string, never>> = {
  type: 'noop',
  parseAttributes: () => ({}),
  createState: () => undefined,
  createStage: (_attributes, { out }) => ({
    write: (chunk) => out.push(chunk),
    end: () => out.end(),
    stop: () => undefined,
  }),
};
