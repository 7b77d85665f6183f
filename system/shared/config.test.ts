import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config.ts';

const schema = z.object({
  PORT: env.port(5000),
  AMQP_URL: env.url('amqp://localhost', ['amqp:', 'amqps:']),
  DEDUPE_GET_WINDOW_SEC: env.int(30, 0, 3600),
  PUBLISH_MODE: env.oneOf(['outbox', 'direct'], 'outbox'),
  DEDUPE_ENABLED: env.bool(true),
});

describe('loadConfig', () => {
  it('applies defaults when variables are absent', () => {
    expect(loadConfig('api', schema, {})).toEqual({
      PORT: 5000,
      AMQP_URL: 'amqp://localhost',
      DEDUPE_GET_WINDOW_SEC: 30,
      PUBLISH_MODE: 'outbox',
      DEDUPE_ENABLED: true,
    });
  });

  it('coerces the string forms of numbers and booleans', () => {
    const config = loadConfig('api', schema, {
      PORT: '0',
      DEDUPE_ENABLED: 'false',
      DEDUPE_GET_WINDOW_SEC: '5',
    });
    expect(config.PORT).toBe(0);
    expect(config.DEDUPE_ENABLED).toBe(false);
    expect(config.DEDUPE_GET_WINDOW_SEC).toBe(5);
  });

  it('lists every bad variable in one error', () => {
    const bad = { PORT: 'seventy', AMQP_URL: 'http://x', PUBLISH_MODE: 'carrier-pigeon' };
    let caught: unknown;
    try {
      loadConfig('api', schema, bad);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/PORT.*"seventy"/);
    expect(problems.join('\n')).toMatch(/AMQP_URL: must be a URL with protocol amqp: or amqps:/);
    expect(problems.join('\n')).toMatch(/PUBLISH_MODE/);
    expect((caught as Error).message).toMatch(/^api: invalid configuration/);
  });

  it('never prints the password of a rejected URL', () => {
    let caught: unknown;
    try {
      loadConfig('api', schema, { AMQP_URL: 'http://guest:s3cret-pw@broker:5672/' });
    } catch (e) {
      caught = e;
    }
    const message = (caught as ConfigError).message;
    expect(message).toContain('http://guest:***@broker:5672/');
    expect(message).not.toContain('s3cret-pw');
  });
});
