import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './notifications/testing/free-port.ts';

// What `npm run build` and the Dockerfile promise: the services compile to plain JavaScript that
// imports only production dependencies, and a compiled service starts and answers. (No Docker
// engine here: the image itself is not built; its COPY sources are checked instead.)
const root = path.resolve(import.meta.dirname, '..');
// Inside the repository, so the compiled files resolve packages from its node_modules, as in dist/.
mkdirSync(path.join(root, '.tmp'), { recursive: true });
const outDir = mkdtempSync(path.join(root, '.tmp', 'build-'));
const services = ['api', 'worker', 'notifications'] as const;
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? jsFiles(path.join(dir, e.name))
      : e.name.endsWith('.js')
        ? [path.join(dir, e.name)]
        : [],
  );
}

/** Bare package names a compiled file imports (`import … from 'x'`, `import('x')`). */
function importedPackages(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const specifiers = [
    ...code.matchAll(
      /(?:^|\n)\s*(?:import|export)[^'"\n]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ]
    .map((m) => m[1] ?? m[2] ?? '')
    .filter((s) => s && !s.startsWith('.') && !s.startsWith('/'));
  return specifiers.map((s) =>
    s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? s),
  );
}

beforeAll(() => {
  const tsc = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
    { cwd: root, encoding: 'utf8' },
  );
  expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  const assets = spawnSync(process.execPath, ['system/copy-assets.mjs', outDir], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(assets.status, assets.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the compiled services', () => {
  it('have an entry point each, their migrations and the notifications pages', () => {
    for (const service of services)
      expect(existsSync(path.join(outDir, 'system', service, 'main.js'))).toBe(true);
    expect(readdirSync(path.join(outDir, 'system/shared/migrations/postgres')).length).toBeGreaterThan(0);
    expect(existsSync(path.join(outDir, 'system/notifications/public'))).toBe(true);
  });

  it('import only Node built-ins and production dependencies (none of the lab’s or the tests’)', () => {
    const builtins = new Set(builtinModules);
    const wrong = jsFiles(outDir).flatMap((file) =>
      importedPackages(file)
        .filter((p) => !p.startsWith('node:') && !builtins.has(p) && !(p in packageJson.dependencies))
        .map((p) => `${path.relative(outDir, file)} imports ${p}`),
    );
    expect(wrong).toEqual([]);
  });

  it('start with plain node (no TypeScript loader), answer ready, and stop on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(outDir, 'system/api/main.js')], {
      env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      let ready = false;
      for (let i = 0; i < 100 && !ready; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready, output).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
  }, 60_000);
});

describe('the Dockerfile', () => {
  it('copies only what exists and what .dockerignore lets through', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? '').split(/\s+/),
    );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(path.join(root, source)), `${source} is missing`).toBe(true);
      expect(ignored, `${source} is in .dockerignore`).not.toContain(source);
    }
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toContain('dist/system/${SERVICE}/main.js');
  });
});
