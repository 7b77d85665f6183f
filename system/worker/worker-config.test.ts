import { describe, expect, it } from 'vitest';
import { loadApiConfig } from '../api/config.ts';
import { loadNotificationsConfig } from '../notifications/config.ts';
import { loadWorkerConfig } from './config.ts';

describe('service configuration defaults', () => {
  it('binds every service to the loopback interface unless HOST widens it', () => {
    expect(loadWorkerConfig({}).HOST).toBe('127.0.0.1');
    expect(loadApiConfig({}).HOST).toBe('127.0.0.1');
    expect(loadNotificationsConfig({}).HOST).toBe('127.0.0.1');
    expect(loadWorkerConfig({ HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });

  it('bounds the worker database pool in time, as the API does', () => {
    expect(loadWorkerConfig({}).DB_TIMEOUT_MS).toBe(5_000);
    expect(loadApiConfig({}).DB_TIMEOUT_MS).toBe(5_000);
  });
});
