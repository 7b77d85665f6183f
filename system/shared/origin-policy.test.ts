import { describe, expect, it } from 'vitest';
import { createOriginPolicy } from './origin-policy.ts';

describe('createOriginPolicy', () => {
  it('allows requests without Origin and pages of the same origin only, by default', () => {
    const policy = createOriginPolicy([]);
    expect(policy.allows(undefined, 'localhost:5001')).toBe(true);
    expect(policy.allows('http://localhost:5001', 'localhost:5001')).toBe(true);
    expect(policy.allows('http://evil.example', 'localhost:5001')).toBe(false);
    expect(policy.allows('null', 'localhost:5001')).toBe(false);
    expect(policy.corsOrigin('http://evil.example', 'localhost:5001')).toBeUndefined();
    expect(policy.socketIoCors()).toBe(false);
  });

  it('allows listed origins across origins and names them in CORS', () => {
    const policy = createOriginPolicy(['http://grafana.local:3000']);
    expect(policy.allows('http://grafana.local:3000', 'localhost:5001')).toBe(true);
    expect(policy.corsOrigin('http://grafana.local:3000', 'localhost:5001')).toBe(
      'http://grafana.local:3000',
    );
    expect(policy.allows('http://grafana.local:3001', 'localhost:5001')).toBe(false);
    expect(policy.socketIoCors()).toEqual(['http://grafana.local:3000']);
  });

  it('allows any origin with *', () => {
    expect(createOriginPolicy(['*']).allows('http://anything', 'h')).toBe(true);
  });
});
