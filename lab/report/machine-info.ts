import os from 'node:os';
import type { MachineInfo } from './result-schema.ts';

/** Describes the machine the lab runs on, for the result's `machine` field. */
export function collectMachineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: Math.max(1, os.availableParallelism()),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}
