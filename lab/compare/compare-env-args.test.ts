import { describe, expect, it } from 'vitest';
import { envForReport, parseServiceEnvArgs } from './compare-env-args.ts';

describe('parseServiceEnvArgs', () => {
  it('groups assignments by service and keeps = and empty values', () => {
    const parsed = parseServiceEnvArgs('candidate-env', [
      'worker:PREFETCH=50',
      'api:PUBLISH_MODE=direct',
      'worker:EXTRA=a=b',
      'notifications:EMPTY=',
    ]);
    expect(parsed).toEqual({
      env: {
        worker: { PREFETCH: '50', EXTRA: 'a=b' },
        api: { PUBLISH_MODE: 'direct' },
        notifications: { EMPTY: '' },
      },
      errors: [],
    });
  });

  it('lists every malformed value, unknown service and repeated variable', () => {
    const { errors } = parseServiceEnvArgs('baseline-env', [
      'PREFETCH=50',
      'db:POOL=4',
      'worker:1BAD=x',
      'worker:A=1',
      'worker:A=2',
    ]);
    expect(errors).toEqual([
      '--baseline-env must look like <service>:<VAR>=<value>, got "PREFETCH=50"',
      '--baseline-env: unknown service "db" (one of api, worker, notifications)',
      '--baseline-env must look like <service>:<VAR>=<value>, got "worker:1BAD=x"',
      '--baseline-env: worker:A is given twice',
    ]);
  });
});

describe('envForReport', () => {
  it('copies the env into plain records', () => {
    const env = { worker: { PREFETCH: '50' } };
    const copy = envForReport(env);
    expect(copy).toEqual(env);
    expect(copy.worker).not.toBe(env.worker);
  });
});
