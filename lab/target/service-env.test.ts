import { describe, expect, it } from 'vitest';
import { serviceEnvFromJson } from './service-env.ts';

describe('LAB_SERVICE_ENV', () => {
  it('reads per-service variables, and nothing when unset', () => {
    expect(serviceEnvFromJson('{"api":{"DEDUPE_MODE":"coalesce"},"worker":{"PREFETCH":"50"}}')).toEqual({
      ok: true,
      env: { api: { DEDUPE_MODE: 'coalesce' }, worker: { PREFETCH: '50' } },
    });
    expect(serviceEnvFromJson(undefined)).toEqual({ ok: true, env: {} });
  });

  it('refuses what it cannot apply, saying why', () => {
    const messageOf = (text: string): string => {
      const parsed = serviceEnvFromJson(text);
      return parsed.ok ? 'accepted' : parsed.message;
    };
    expect(messageOf('{api')).toMatch(/not JSON/);
    expect(messageOf('{"db":{"X":"1"}}')).toMatch(/unknown service "db"/);
    expect(messageOf('{"api":{"X":1}}')).toMatch(/api.X must be a string/);
  });
});
