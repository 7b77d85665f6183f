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
    expect(serviceEnvFromJson('{api')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/not JSON/),
    });
    expect(serviceEnvFromJson('{"db":{"X":"1"}}')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/unknown service "db"/),
    });
    expect(serviceEnvFromJson('{"api":{"X":1}}')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/api.X must be a string/),
    });
  });
});
