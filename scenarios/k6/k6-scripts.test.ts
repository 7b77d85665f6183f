import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

describe('k6 scripts', () => {
  it('type-check against @types/k6 (and the xk6-sse declarations), with the summary module they share', () => {
    // tsconfig.json checks every top-level .js file: the two scripts and lab-summary.js they import.
    const scripts = readdirSync(here).filter((f) => f.endsWith('.js'));
    expect(scripts).toEqual(
      expect.arrayContaining(['burst-duplicate-gets.js', 'sse-listeners.js', 'lab-summary.js']),
    );
    const tsc = spawnSync(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', `${here}tsconfig.json`],
      {
        encoding: 'utf8',
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 60_000);
});
