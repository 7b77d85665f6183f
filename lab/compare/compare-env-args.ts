import { serviceNames, type ServiceEnvs, type ServiceName } from '../target/target.ts';

/**
 * Parses repeated `--baseline-env` / `--candidate-env` values of the form `<service>:<VAR>=<value>`
 * (e.g. `worker:PREFETCH=50`; the value may contain `=` and be empty) into per-service env.
 * Never throws: every malformed value is listed in `errors`, named with its option.
 */
export function parseServiceEnvArgs(
  option: string,
  values: readonly string[],
): { env: Partial<Record<ServiceName, Record<string, string>>>; errors: string[] } {
  const env: Partial<Record<ServiceName, Record<string, string>>> = {};
  const errors: string[] = [];
  for (const text of values) {
    const match = /^([a-z-]+):([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
    if (!match) {
      errors.push(`--${option} must look like <service>:<VAR>=<value>, got "${text}"`);
      continue;
    }
    const [, service, name, value] = match as unknown as [string, string, string, string];
    if (!(serviceNames as readonly string[]).includes(service)) {
      errors.push(`--${option}: unknown service "${service}" (one of ${serviceNames.join(', ')})`);
      continue;
    }
    const vars = (env[service as ServiceName] ??= {});
    if (Object.hasOwn(vars, name)) errors.push(`--${option}: ${service}:${name} is given twice`);
    vars[name] = value;
  }
  return { env, errors };
}

/** Service env as the comparison report records it (a plain record of records). */
export function envForReport(env: ServiceEnvs): Record<string, Record<string, string>> {
  return Object.fromEntries(Object.entries(env).map(([service, vars]) => [service, { ...vars }]));
}
