import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serviceNodeFlags } from './service-runtime.ts';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

describe('service node flags', () => {
  it('are the same in npm start scripts as in the lab', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const [service, flags] of Object.entries(serviceNodeFlags)) {
      const script = scripts[`start:${service}`] ?? '';
      expect(script, `start:${service}`).toContain(
        `node ${[...flags, ''].join(' ')}dist/system/${service}/main.js`,
      );
    }
  });

  it('are given to the compose services', () => {
    const compose = parse(read('docker-compose.yml')) as {
      services: Record<string, { environment?: Record<string, string> } | undefined>;
    };
    for (const [service, flags] of Object.entries(serviceNodeFlags)) {
      if (flags.length === 0) continue;
      expect(compose.services[service]?.environment?.NODE_OPTIONS, service).toBe(flags.join(' '));
    }
  });
});
