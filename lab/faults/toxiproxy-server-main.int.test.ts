import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roundTrip, connectClient, startEchoServer, type EchoServer } from './conformance-helpers.ts';

const main = fileURLToPath(new URL('./toxiproxy-server-main.ts', import.meta.url));
let echo: EchoServer;
let dir: string;

beforeAll(async () => {
  echo = await startEchoServer();
  dir = await mkdtemp(path.join(tmpdir(), 'toxiproxy-main-'));
});
afterAll(async () => {
  await echo.close();
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const waitForUrl = async (): Promise<string> => {
    while (!/listening on (\S+)/.test(stdout)) {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${stderr}`);
      await once(child.stdout, 'data');
    }
    return /listening on (\S+)/.exec(stdout)![1]!;
  };
  return { child, exited, waitForUrl, output: () => ({ stdout, stderr }) };
}

describe('toxiproxy-server-main CLI', () => {
  it('exits 2 naming an unknown option', async () => {
    const cli = run(['--prot', '1']);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toContain('--prot');
  });

  it('populates from --config, serves the API and stops cleanly on SIGTERM', async () => {
    const config = path.join(dir, 'proxies.json');
    await writeFile(config, JSON.stringify([{ name: 'cfg', listen: '127.0.0.1:0', upstream: echo.address }]));
    const cli = run(['--port', '0', '--config', config]);
    const toxiproxy = new Toxiproxy(await cli.waitForUrl());
    const proxy = await toxiproxy.get('cfg');
    const client = await connectClient(proxy.listen);
    expect(await roundTrip(client)).toBeLessThan(100);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    await client.closed;
  });
});
