import { bandwidthToxic } from './bandwidth.ts';
import { latencyToxic } from './latency.ts';
import { limitDataToxic } from './limit-data.ts';
import { noopToxic } from './noop.ts';
import { resetPeerToxic } from './reset-peer.ts';
import { slicerToxic } from './slicer.ts';
import { slowCloseToxic } from './slow-close.ts';
import { timeoutToxic } from './timeout.ts';
import type { ToxicDefinition, ToxicType } from './toxic.ts';

/** Type-erased so the chain can hold any toxic; each definition still checks its own attributes. */
export type AnyToxicDefinition = ToxicDefinition<object, unknown>;

const definitions: readonly AnyToxicDefinition[] = [
  noopToxic,
  latencyToxic,
  bandwidthToxic,
  slowCloseToxic,
  timeoutToxic,
  resetPeerToxic,
  limitDataToxic,
  slicerToxic,
];

const byType = new Map<string, AnyToxicDefinition>(definitions.map((d) => [d.type, d]));

export function findToxicDefinition(type: string): AnyToxicDefinition | undefined {
  return byType.get(type);
}

export function listToxicTypes(): ToxicType[] {
  return definitions.map((d) => d.type);
}
