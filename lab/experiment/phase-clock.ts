/** One phase as it actually ran; epoch milliseconds. */
export interface PhaseRecord {
  name: string;
  startMs: number;
  endMs?: number;
}

export interface FaultRecord {
  name: string;
  description: string;
  appliedMs?: number;
  rolledBackMs?: number;
}

/**
 * Which phase is running, and which one ran at any past instant, so a latency sample can be
 * filed under the phase of its INTENDED send time even when it completes in a later phase.
 */
export interface PhaseClock {
  begin(name: string, atMs: number): void;
  end(name: string, atMs: number): void;
  setVariant(variant: string | undefined): void;
  variant(): string | undefined;
  current(): string;
  phaseAt: (epochMs: number) => string;
  startOf(phase: string): number | undefined;
  phases(): PhaseRecord[];
  fault(name: string, description: string): FaultRecord;
  faults(): FaultRecord[];
  faultTimes(name: string): { appliedMs?: number; rolledBackMs?: number };
}

export function createPhaseClock(): PhaseClock {
  const records: PhaseRecord[] = [];
  const faultRecords = new Map<string, FaultRecord>();
  let current = 'setup';
  let variant: string | undefined;
  return {
    begin(name, atMs) {
      records.push({ name, startMs: atMs });
      current = name;
    },
    end(name, atMs) {
      const record = records.findLast((r) => r.name === name);
      if (record) record.endMs = atMs;
      current = 'collect';
    },
    setVariant: (v) => void (variant = v),
    variant: () => variant,
    current: () => current,
    phaseAt(epochMs) {
      const first = records[0];
      if (!first || epochMs < first.startMs) return 'setup';
      for (let i = records.length - 1; i >= 0; i--) {
        const r = records[i];
        if (r && epochMs >= r.startMs)
          return r.endMs === undefined || epochMs < r.endMs
            ? r.name
            : i === records.length - 1
              ? 'collect'
              : r.name;
      }
      return 'setup';
    },
    startOf: (phase) => records.find((r) => r.name === phase)?.startMs,
    phases: () => records.map((r) => ({ ...r })),
    fault(name, description) {
      let record = faultRecords.get(name);
      if (!record) {
        record = { name, description };
        faultRecords.set(name, record);
      }
      return record;
    },
    faults: () => [...faultRecords.values()].map((f) => ({ ...f })),
    faultTimes(name) {
      const f = faultRecords.get(name);
      return {
        ...(f?.appliedMs !== undefined ? { appliedMs: f.appliedMs } : {}),
        ...(f?.rolledBackMs !== undefined ? { rolledBackMs: f.rolledBackMs } : {}),
      };
    },
  };
}
