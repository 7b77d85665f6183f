import { z } from 'zod';
import { redactCredentials } from './redact-secrets.ts';

/** Thrown once at start when the environment is invalid; lists every problem, not only the first. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(service: string, problems: string[]) {
    super(`${service}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Validates environment variables against a zod object schema whose keys are the variable names.
 * Returns the parsed, typed values or throws a {@link ConfigError} naming every bad variable.
 */
export function loadConfig<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
    // Connection URLs carry passwords: the message names the value without its secret.
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(redactCredentials(value))})`;
    return `${name}: ${issue.message}${shown}`;
  });
  throw new ConfigError(service, problems);
}

/**
 * Helpers for common variable shapes; each accepts the variable's string form. Every variable gets
 * its one-line description with `.describe()` where it is declared: docs/configuration.md is
 * generated from the schemas (`npm run docs:config`). Two metadata keys say what their JSON Schema
 * cannot: `protocols` (what a URL may start with) and `accepts` (a string's shape, in words).
 */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int().min(min).max(max).default(fallback),
  url: (fallback: string, protocols: string[]) =>
    z
      .string()
      .default(fallback)
      .refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), {
        message: `must be a URL with protocol ${protocols.join(' or ')}`,
      })
      .meta({ protocols }),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
    z.enum(values).default(fallback as never),
  /** A comma-separated list; blanks are dropped (default: empty). */
  list: () =>
    z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      )
      .meta({ accepts: 'comma-separated list' }),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
