import { serviceNames, type ServiceEnvs } from './target.ts';

export type ParsedServiceEnv = { ok: true; env: ServiceEnvs } | { ok: false; message: string };

/**
 * Extra service environment handed to a run as JSON (`LAB_SERVICE_ENV`, set by a comparison for
 * each side): `{"api": {"DEDUPE_MODE": "coalesce"}}`. Absent or empty: none.
 */
export function serviceEnvFromJson(text: string | undefined): ParsedServiceEnv {
  if (text === undefined || text.trim() === '') return { ok: true, env: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `is not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, message: 'must be an object of services, e.g. {"api": {"DEDUPE_MODE": "coalesce"}}' };
  const env: ServiceEnvs = {};
  for (const [service, vars] of Object.entries(value)) {
    if (!(serviceNames as readonly string[]).includes(service))
      return {
        ok: false,
        message: `names an unknown service "${service}" (one of ${serviceNames.join(', ')})`,
      };
    if (typeof vars !== 'object' || vars === null || Array.isArray(vars))
      return { ok: false, message: `${service} must map variable names to strings` };
    const entries = Object.entries(vars as Record<string, unknown>);
    const bad = entries.find(([, v]) => typeof v !== 'string');
    if (bad) return { ok: false, message: `${service}.${bad[0]} must be a string` };
    env[service as keyof ServiceEnvs] = Object.fromEntries(entries) as Record<string, string>;
  }
  return { ok: true, env };
}
