import {
  createLatencyHistogram,
  decodeLatencyHistogram,
  type LatencyHistogram,
  type LatencySummary,
} from './latency-histogram.ts';
import { phaseMetricName, prefixKeys } from './metric-names.ts';

/** One point of the latency time series: one phase during one interval. */
export interface LatencyPoint {
  /** Start of the interval, in seconds since the recorder's `startMs`. */
  tSec: number;
  phase: string;
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Per-phase totals: the merged histogram summary and the phase's counters. */
export interface PhaseTotals {
  phase: string;
  latency: LatencySummary;
  counters: Record<string, number>;
}

/** Serialisable state of a recorder, so worker threads can ship it to the parent to be merged. */
export interface PhaseRecorderSnapshot {
  intervalMs: number;
  startMs: number;
  phases: Record<string, { histogram: string; counters: Record<string, number> }>;
  /** Keyed by phase, then by interval index. */
  intervals: Record<string, Record<string, string>>;
}

export interface PhaseRecorderDeps {
  /** Run start, in epoch milliseconds; interval 0 starts here. */
  startMs: number;
  /** Width of the time-series buckets, in milliseconds. Default 1000. */
  intervalMs?: number;
}

interface PhaseState {
  total: LatencyHistogram;
  counters: Map<string, number>;
  intervals: Map<number, LatencyHistogram>;
}

/**
 * Records latency samples per phase and per interval (1 s by default) and counters per phase.
 * Produces per-phase totals (merged histograms) and a p50/p99-per-second time series.
 */
export interface PhaseRecorder {
  /** Records a latency (µs) for `phase`, bucketed by `atMs` (epoch ms, e.g. the intended send time). */
  record(phase: string, latencyUs: number, atMs: number): void;
  /** Adds `by` (default 1) to the named counter of `phase`. */
  count(phase: string, counter: string, by?: number): void;
  /** The merged histogram of one phase, or of every phase when `phase` is omitted. */
  histogram(phase?: string): LatencyHistogram;
  totals(): PhaseTotals[];
  timeline(): LatencyPoint[];
  snapshot(): PhaseRecorderSnapshot;
  /** Adds another recorder's snapshot (histograms merged, counters summed). */
  mergeSnapshot(snapshot: PhaseRecorderSnapshot): void;
}

export function createPhaseRecorder(deps: PhaseRecorderDeps): PhaseRecorder {
  const intervalMs = deps.intervalMs ?? 1000;
  const phases = new Map<string, PhaseState>();

  const stateOf = (phase: string): PhaseState => {
    let state = phases.get(phase);
    if (!state) {
      state = { total: createLatencyHistogram(), counters: new Map(), intervals: new Map() };
      phases.set(phase, state);
    }
    return state;
  };
  const intervalOf = (state: PhaseState, index: number): LatencyHistogram => {
    let h = state.intervals.get(index);
    if (!h) {
      h = createLatencyHistogram({ packed: true });
      state.intervals.set(index, h);
    }
    return h;
  };
  const addCounter = (state: PhaseState, name: string, by: number): void => {
    state.counters.set(name, (state.counters.get(name) ?? 0) + by);
  };

  return {
    record(phase, latencyUs, atMs) {
      const state = stateOf(phase);
      state.total.record(latencyUs);
      intervalOf(state, Math.max(0, Math.floor((atMs - deps.startMs) / intervalMs))).record(latencyUs);
    },
    count(phase, counter, by = 1) {
      addCounter(stateOf(phase), counter, by);
    },
    histogram(phase) {
      const merged = createLatencyHistogram();
      for (const [name, state] of phases)
        if (phase === undefined || name === phase) merged.merge(state.total);
      return merged;
    },
    totals() {
      return [...phases].map(([phase, state]) => ({
        phase,
        latency: state.total.summary(),
        counters: Object.fromEntries(state.counters),
      }));
    },
    timeline() {
      // One point per interval: a second that straddles a phase boundary merges both phases'
      // samples (and is named after the phase that had most of them).
      const byIndex = new Map<number, { merged: LatencyHistogram; phase: string; phaseCount: number }>();
      for (const [phase, state] of phases) {
        for (const [index, h] of state.intervals) {
          const count = h.count;
          const entry = byIndex.get(index);
          if (!entry) {
            const merged = createLatencyHistogram();
            merged.merge(h);
            byIndex.set(index, { merged, phase, phaseCount: count });
            continue;
          }
          entry.merged.merge(h);
          if (count > entry.phaseCount) Object.assign(entry, { phase, phaseCount: count });
        }
      }
      return [...byIndex.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, { merged, phase }]) => {
          const s = merged.summary();
          return {
            tSec: (index * intervalMs) / 1000,
            phase,
            count: s.count,
            p50Ms: s.p50Ms,
            p99Ms: s.p99Ms,
            maxMs: s.maxMs,
          };
        });
    },
    snapshot() {
      const snap: PhaseRecorderSnapshot = { intervalMs, startMs: deps.startMs, phases: {}, intervals: {} };
      for (const [phase, state] of phases) {
        snap.phases[phase] = {
          histogram: state.total.encode(),
          counters: Object.fromEntries(state.counters),
        };
        snap.intervals[phase] = Object.fromEntries(
          [...state.intervals].map(([i, h]) => [String(i), h.encode()]),
        );
      }
      return snap;
    },
    mergeSnapshot(snapshot) {
      if (snapshot.intervalMs !== intervalMs || snapshot.startMs !== deps.startMs) {
        throw new Error(
          `cannot merge a phase snapshot with startMs=${snapshot.startMs}/intervalMs=${snapshot.intervalMs} ` +
            `into one with startMs=${deps.startMs}/intervalMs=${intervalMs}`,
        );
      }
      for (const [phase, data] of Object.entries(snapshot.phases)) {
        const state = stateOf(phase);
        state.total.merge(decodeLatencyHistogram(data.histogram));
        for (const [name, value] of Object.entries(data.counters)) addCounter(state, name, value);
        for (const [index, encoded] of Object.entries(snapshot.intervals[phase] ?? {})) {
          intervalOf(state, Number(index)).merge(decodeLatencyHistogram(encoded));
        }
      }
    },
  };
}

/**
 * Dotted metrics for a recorder under `prefix` (e.g. `http`): overall `http.latency.p99Ms`,
 * `http.<counter>` summed over phases, and per phase `phase.<phase>.http.latency.p99Ms`,
 * `phase.<phase>.http.<counter>`, ready for gates.
 */
export function phaseRecorderMetrics(recorder: PhaseRecorder, prefix: string): Record<string, number> {
  const out: Record<string, number> = prefixKeys(`${prefix}.latency`, recorder.histogram().summary());
  for (const { phase, latency, counters } of recorder.totals()) {
    Object.assign(out, prefixKeys(phaseMetricName(phase, `${prefix}.latency`), latency));
    Object.assign(out, prefixKeys(phaseMetricName(phase, prefix), counters));
    for (const [name, value] of Object.entries(counters)) {
      out[`${prefix}.${name}`] = (out[`${prefix}.${name}`] ?? 0) + value;
    }
  }
  return out;
}
