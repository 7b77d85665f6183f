import { z } from 'zod';
import { gateResultSchema } from '../gates/gate.ts';

/** Where the system under test ran. */
export const targetSchema = z.enum(['local', 'compose']);

export const machineSchema = z.object({
  cpus: z.number().int().positive(),
  cpuModel: z.string(),
  memGiB: z.number().nonnegative(),
  /** `process.version`, e.g. `v20.20.2`. */
  node: z.string(),
  /** e.g. `linux 6.8.0 x64`. */
  os: z.string(),
  /** How the services under test ran, e.g. `compiled (dist/, plain node)`; absent in older results. */
  services: z.string().optional(),
});
export type MachineInfo = z.infer<typeof machineSchema>;

/** A timed phase of the experiment; times in ms since `startedAt`. */
export const phaseSchema = z.object({
  name: z.string().min(1),
  startMs: z.number().nonnegative(),
  endMs: z.number().nonnegative(),
  /** The fault active during the phase, e.g. `redis: timeout 0`. */
  fault: z.string().optional(),
});
export type PhaseSpan = z.infer<typeof phaseSchema>;

/** All timeline `tSec` values are seconds since `startedAt`. */
export const latencyPointSchema = z.object({
  tSec: z.number(),
  p50Ms: z.number().nonnegative(),
  p99Ms: z.number().nonnegative(),
  /**
   * Which latency this is. Default `http`. Notification latency (receipt − intended send of the
   * causing write) per listener transport is `notifications.sse` and `notifications.socketio`.
   */
  series: z.string().optional(),
  count: z.number().nonnegative().optional(),
});
export const breakerStates = ['closed', 'half-open', 'open', 'isolated'] as const;
export const breakerPointSchema = z.object({
  tSec: z.number(),
  /** Breaker name, e.g. `api.redis`. */
  breaker: z.string(),
  state: z.enum(breakerStates),
});
export const hitRatePointSchema = z.object({
  tSec: z.number(),
  /** 0..1 */
  hitRate: z.number().min(0).max(1),
  series: z.string().optional(),
});
export const valuePointSchema = z.object({ tSec: z.number(), value: z.number() });
/** One wave of identical requests (a burst scenario), `tSec` when it was fired. */
export const wavePointSchema = z.object({
  tSec: z.number(),
  /** The phase the wave belongs to, e.g. `coalesce-cold`. */
  phase: z.string(),
  /** Client-side: responses carrying `X-Deduplicated: true` / responses, 0..1. */
  hitRate: z.number().min(0).max(1),
  /** Requests fired in the wave. */
  sent: z.number().int().nonnegative().optional(),
});

/** Series for charts; every one is optional, charts are drawn for those present. */
export const timelineSchema = z.object({
  latency: z.array(latencyPointSchema).optional(),
  breaker: z.array(breakerPointSchema).optional(),
  hitRate: z.array(hitRatePointSchema).optional(),
  waves: z.array(wavePointSchema).optional(),
  /** Any other sampled series, e.g. from services' `/metrics`, keyed by dotted name. */
  series: z.record(z.string(), z.array(valuePointSchema)).optional(),
});
export type Timeline = z.infer<typeof timelineSchema>;
export type LatencyPoint = z.infer<typeof latencyPointSchema>;

/** A fault as it was really applied and rolled back; seconds since `startedAt`. */
export const faultRecordSchema = z.object({
  name: z.string().min(1),
  /** e.g. `rabbitmq: proxy disabled (connection refused)`. */
  description: z.string().optional(),
  appliedTSec: z.number().nonnegative(),
  /** Absent when the fault was still active when the run ended. */
  rolledBackTSec: z.number().nonnegative().optional(),
});
export type FaultRecord = z.infer<typeof faultRecordSchema>;

const isoDate = z.iso.datetime({ offset: true });

/**
 * The result of one scenario run, written to `reports/<scenario>/<timestamp>.json`.
 * Metric names are dotted, e.g. `dedupe.hitRate`, `http.latency.p99Ms`, `events.lost`.
 */
export const labResultSchema = z.object({
  scenario: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'scenario must be kebab-case'),
  startedAt: isoDate,
  finishedAt: isoDate,
  target: targetSchema,
  /** Every gate passed (meaningful only when `valid`). */
  passed: z.boolean(),
  /** False when the measurement cannot be trusted, e.g. the load generator was the bottleneck. */
  valid: z.boolean(),
  invalidReason: z.string().optional(),
  /** The scenario options the run used. */
  options: z.record(z.string(), z.unknown()),
  machine: machineSchema,
  gates: z.array(gateResultSchema),
  metrics: z.record(z.string(), z.number()),
  phases: z.array(phaseSchema),
  /** Optional: results written before it was added carry `fault.<name>.appliedAtMs` metrics instead. */
  faults: z.array(faultRecordSchema).optional(),
  timeline: timelineSchema,
  notes: z.array(z.string()).optional(),
});
export type LabResult = z.infer<typeof labResultSchema>;

/** Validates a parsed JSON value; the error lists every problem with its path. */
export function parseLabResult(value: unknown): LabResult {
  const parsed = labResultSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid lab result:\n- ${problems.join('\n- ')}`);
  }
  return parsed.data;
}

/** Run status shown in reports: INVALID wins over PASSED/FAILED. */
export function resultStatus(result: Pick<LabResult, 'passed' | 'valid'>): 'PASSED' | 'FAILED' | 'INVALID' {
  if (!result.valid) return 'INVALID';
  return result.passed ? 'PASSED' : 'FAILED';
}
