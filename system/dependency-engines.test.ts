import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

// package.json promises Node 20 (past its end of life, still what many run) and the current LTS.
// A dependency whose own `engines` leaves out one of them breaks that promise silently (npm only
// warns): cockatiel 4, eventsource 5 and vega-lite 6 need Node 22, which is why they are held back.
const root = path.resolve(import.meta.dirname, '..');
const read = (file: string) =>
  JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;

describe('the Node versions the project supports', () => {
  const engines = (read('package.json').engines as { node: string }).node;
  const supported = ['20.19.0', '24.0.0'];

  it('are the ones package.json declares', () => {
    for (const version of supported) expect(semver.satisfies(version, engines), version).toBe(true);
  });

  it('are supported by every installed dependency', () => {
    const packages = read('package-lock.json').packages as Record<string, { engines?: { node?: string } }>;
    const excluding = Object.entries(packages).flatMap(([name, p]) => {
      const wanted = p.engines?.node;
      if (!wanted) return [];
      return supported
        .filter((v) => !semver.satisfies(v, wanted))
        .map((v) => `${name} needs node ${wanted}, not ${v}`);
    });
    expect(excluding).toEqual([]);
  });
});
