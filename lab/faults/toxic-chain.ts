import type { ToxicSpec } from './toxic-spec.ts';
import type { HeldBytes, ToxicOutput, ToxicStage } from './toxics/toxic.ts';

/** Where the last stage delivers: the destination socket and the link's close/reset. */
export type ChainSink = ToxicOutput;

export interface ToxicChainOptions {
  /** Where the stages account for the bytes they hold back; default: not counted. */
  held?: HeldBytes;
  /** The connection opened with a reset_peer toxic in place (see StageContext). Default false. */
  closeWithReset?: boolean;
}

const uncounted: HeldBytes = { add: () => undefined, remove: () => undefined };

export interface ToxicChain {
  write(chunk: Buffer): void;
  end(): void;
  add(spec: ToxicSpec): void;
  update(spec: ToxicSpec): void;
  remove(name: string): void;
  /** Cancel every timer and drop held data (the link is being torn down). */
  destroy(): void;
}

interface Node {
  spec: ToxicSpec;
  /** Toxicity is rolled per link when the toxic is applied (and again on update, as Toxiproxy re-runs it). */
  active: boolean;
  stage: ToxicStage;
  state: unknown;
  inputEnded: boolean;
  outputEnded: boolean;
}

const passThrough = (out: ToxicOutput): ToxicStage => ({
  write: (chunk) => out.push(chunk),
  end: () => out.end(),
  stop: () => undefined,
});

/**
 * One direction of one connection: data flows through the toxics in the order they were added.
 * Outputs resolve the next node at call time, so toxics can be added, updated and removed while
 * data is in flight, like Toxiproxy's interruptible stub chain.
 */
export function createToxicChain(
  sink: ChainSink,
  random: () => number,
  now: () => number,
  { held = uncounted, closeWithReset = false }: ToxicChainOptions = {},
): ToxicChain {
  const nodes: Node[] = [];
  let inputEnded = false;
  let destroyed = false;

  const deliver = (index: number, chunk: Buffer): void => {
    if (destroyed) return;
    const next = nodes[index];
    if (next === undefined) sink.push(chunk);
    else if (!next.inputEnded) next.stage.write(chunk);
  };
  const deliverEnd = (index: number): void => {
    if (destroyed) return;
    const next = nodes[index];
    if (next === undefined) sink.end();
    else if (!next.inputEnded) {
      next.inputEnded = true;
      next.stage.end();
    }
  };

  const outputOf = (node: Node): ToxicOutput => ({
    push(chunk) {
      if (!node.outputEnded && nodes.includes(node)) deliver(nodes.indexOf(node) + 1, chunk);
    },
    end() {
      if (node.outputEnded || !nodes.includes(node)) return;
      node.outputEnded = true;
      deliverEnd(nodes.indexOf(node) + 1);
    },
    reset() {
      if (!destroyed && nodes.includes(node)) sink.reset();
    },
  });

  const startStage = (node: Node): void => {
    node.active = random() < node.spec.toxicity;
    const out = outputOf(node);
    node.stage = node.active
      ? node.spec.definition.createStage(node.spec.attributes, {
          out,
          random,
          now,
          state: node.state,
          held,
          closeWithReset,
        })
      : passThrough(out);
    if (node.inputEnded) node.stage.end();
  };

  return {
    write: (chunk) => {
      if (!inputEnded) deliver(0, chunk);
    },
    end() {
      if (inputEnded) return;
      inputEnded = true;
      deliverEnd(0);
    },
    add(spec) {
      const previous = nodes[nodes.length - 1];
      const node: Node = {
        spec,
        active: false,
        stage: passThrough(sink),
        state: spec.definition.createState(),
        inputEnded: previous ? previous.outputEnded : inputEnded,
        outputEnded: false,
      };
      nodes.push(node);
      startStage(node);
    },
    update(spec) {
      const node = nodes.find((n) => n.spec.name === spec.name);
      if (node === undefined || node.outputEnded) return;
      node.stage.stop(true);
      node.spec = spec;
      startStage(node);
    },
    remove(name) {
      const index = nodes.findIndex((n) => n.spec.name === name);
      const node = nodes[index];
      if (node === undefined) return;
      node.stage.stop(true);
      nodes.splice(index, 1);
      if (node.outputEnded) return;
      // A pending close travels on; so does the timeout toxic's close-on-removal.
      if (node.inputEnded || (node.active && node.spec.definition.closesLinkOnRemove)) deliverEnd(index);
    },
    destroy() {
      destroyed = true;
      for (const node of nodes) node.stage.stop(false);
    },
  };
}
