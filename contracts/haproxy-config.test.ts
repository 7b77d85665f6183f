import { describe, expect, it } from 'vitest';
import { haproxyConfig, stickinessCookie } from './haproxy-config.ts';

const servers = [
  { host: '127.0.0.1', port: 5011 },
  { host: '127.0.0.1', port: 5012 },
];

describe('haproxyConfig', () => {
  it('balances by least connections over every process, each health-checked on /health/ready', () => {
    const config = haproxyConfig({ listen: { host: '127.0.0.1', port: 5001 }, servers });
    expect(config).toContain('bind 127.0.0.1:5001');
    expect(config).toContain('balance leastconn');
    expect(config).toContain('option httpchk GET /health/ready');
    expect(config).toMatch(/server p1 127\.0\.0\.1:5011 check inter 2000ms cookie p1/);
    expect(config).toMatch(/server p2 127\.0\.0\.1:5012 check inter 2000ms cookie p2/);
  });

  it('keeps long-lived streams open for an hour', () => {
    const config = haproxyConfig({ listen: { host: '0.0.0.0', port: 5001 }, servers });
    for (const timeout of ['client', 'server', 'tunnel']) expect(config).toContain(`timeout ${timeout} 1h`);
  });

  it('pins long-polling sessions with a cookie in http mode and drops the cookie in tcp mode', () => {
    const http = haproxyConfig({ listen: { host: '127.0.0.1', port: 5001 }, servers });
    const tcp = haproxyConfig({ listen: { host: '127.0.0.1', port: 5001 }, servers, mode: 'tcp' });
    expect(http).toContain('mode http');
    expect(http).toContain(`cookie ${stickinessCookie} insert indirect nocache`);
    expect(tcp).toContain('mode tcp');
    expect(tcp).not.toContain('cookie');
    expect(tcp).not.toContain('http-request');
  });

  it('refuses a backend without servers', () => {
    expect(() => haproxyConfig({ listen: { host: '127.0.0.1', port: 5001 }, servers: [] })).toThrow(/server/);
  });
});
