import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
    const compose = read('docker-compose.yml');
    for (const [service, flags] of Object.entries(serviceNodeFlags)) {
      if (flags.length === 0) continue;
      const block = compose.slice(compose.indexOf(`\n  ${service}:\n`));
      expect(block.slice(0, block.indexOf('\n  ', 4) + 2000), service).toContain(
        `NODE_OPTIONS: ${flags.join(' ')}`,
      );
    }
  });
});
