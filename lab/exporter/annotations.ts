import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface Annotation {
  /** Epoch ms. */
  time: number;
  kind: 'phase' | 'fault' | 'run';
  name: string;
  event: 'start' | 'end';
  detail?: string;
}

export interface AnnotationLog {
  readonly file: string;
  add(annotation: Omit<Annotation, 'time'> & { time?: number }): Annotation;
  all(): Annotation[];
}

/**
 * Phase and fault annotations as JSON lines (`<dir>/annotations-<stamp>.jsonl`, one object per
 * line with `scenario` and `runId`), for Grafana's JSON/Loki annotation sources, and as log lines.
 */
export function createAnnotationLog(options: {
  dir: string;
  stamp: string;
  scenario: string;
  runId: string;
  log(line: string): void;
}): AnnotationLog {
  mkdirSync(options.dir, { recursive: true });
  const file = path.join(options.dir, `annotations-${options.stamp}.jsonl`);
  const items: Annotation[] = [];
  return {
    file,
    add(input) {
      const annotation: Annotation = { ...input, time: input.time ?? Date.now() };
      items.push(annotation);
      appendFileSync(
        file,
        `${JSON.stringify({ scenario: options.scenario, runId: options.runId, ...annotation })}\n`,
      );
      const detail = annotation.detail ? ` (${annotation.detail})` : '';
      options.log(`annotation ${annotation.kind} ${annotation.name} ${annotation.event}${detail}`);
      return annotation;
    },
    all: () => [...items],
  };
}
