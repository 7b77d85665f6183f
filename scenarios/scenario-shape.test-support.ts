import { expect } from 'vitest';
import {
  parseCliArgs,
  defineGates,
  faultDurationMs,
  variantsOf,
  type Gate,
  type RunOptions,
  type AnyScenario,
} from '../lab/index.ts';

/** Options of `npm run scenario <name> -- ...args` as the CLI resolves them. */
export function optionsOf(scenario: AnyScenario, args: readonly string[] = []): RunOptions {
  const request = parseCliArgs([scenario.name, ...args], [scenario]);
  if (request.kind !== 'run') throw new Error(`CLI refused ${args.join(' ')}: ${JSON.stringify(request)}`);
  return request.options;
}

export function gatesOf(scenario: AnyScenario, options: RunOptions): Gate[] {
  return defineGates(typeof scenario.gates === 'function' ? scenario.gates(options) : scenario.gates);
}

/** Phase names a run goes through (`<variant>-<phase>` with variants). */
export function runPhases(scenario: AnyScenario, options: RunOptions): string[] {
  const variants = variantsOf(scenario, options);
  const names = scenario.phases.map((p) => p.name);
  return variants.length ? variants.flatMap((v) => names.map((n) => `${v.name}-${n}`)) : names;
}

/** The checks every scenario must pass: well-formed gates and phases, faults on real phases, sizing said. */
export function expectWellFormed(scenario: AnyScenario, options: RunOptions): void {
  expect(scenario.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  expect(scenario.defaults.sizing).toMatch(/2[ -]core/);
  const phases = scenario.phases.map((p) => p.name);
  expect(new Set(phases).size).toBe(phases.length);
  for (const fault of scenario.faults ?? []) {
    expect(phases).toContain(fault.phase);
    expect(faultDurationMs(fault, options) ?? 1).toBeGreaterThan(0);
  }
  const gates = gatesOf(scenario, options);
  expect(gates.length).toBeGreaterThan(0);
  const known = new Set(runPhases(scenario, options));
  for (const gate of gates) if (gate.phase !== undefined) expect(known).toContain(gate.phase);
}
