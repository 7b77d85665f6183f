import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createGracefulShutdown } from '../../system/shared/shutdown.ts';
import { startShardedToxiproxy } from './sharded-toxiproxy.ts';
import { createToxiproxyServer } from './toxiproxy-server.ts';

const USAGE =
  'usage: npm run toxiproxy -- [--host 127.0.0.1] [--port 8474] [--config proxies.json] [--shards 1]';

interface CliOptions {
  host: string;
  port: number;
  config: string | undefined;
  /** 1 = one process; N >= 2 = a node:cluster primary with N shard processes. */
  shards: number;
}

/** Exit 2 means the server could not be started as asked (bad option, bad config, port taken). */
function fail(message: string): never {
  process.stderr.write(`toxiproxy: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function readOptions(argv: string[]): CliOptions {
  let values: { host?: string; port?: string; config?: string; shards?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        config: { type: 'string' },
        shards: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs names the offending option, e.g. "Unknown option '--prot'".
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const port = Number(values.port ?? '8474');
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0-65535, got ${values.port}`);
  const shards = Number(values.shards ?? '1');
  if (!Number.isInteger(shards) || shards < 1 || shards > 64)
    fail(`--shards must be 1-64, got ${values.shards}`);
  return { host: values.host ?? '127.0.0.1', port, config: values.config, shards };
}

async function loadConfig(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    fail(`cannot read --config ${file}: ${(error as Error).message}`);
  }
}

const options = readOptions(process.argv.slice(2));
const config = options.config === undefined ? undefined : await loadConfig(options.config);
const logger = pino({ base: { component: 'toxiproxy' } });
// SIGTERM/SIGINT stop it and exit 0; started with an IPC channel (the lab's local target does),
// it also stops when that channel closes, so a lab killed even by SIGKILL leaves no proxy behind.
const shutdown = createGracefulShutdown({
  logger,
  timeoutMs: 10_000,
  handleSignals: true,
  exitWithParent: true,
});
const server = await (
  options.shards === 1
    ? createToxiproxyServer({ host: options.host, port: options.port })
    : startShardedToxiproxy({
        host: options.host,
        port: options.port,
        shards: options.shards,
        logger,
        onShardExit: (shard, reason) => {
          logger.error({ shard, reason }, 'a shard died; its connections are gone: stopping');
          void shutdown.shutdown('shard exited').then(() => process.exit(1));
        },
      })
).catch((error: Error) => fail(`cannot start on ${options.host}:${options.port}: ${error.message}`));
if (config !== undefined) {
  try {
    const proxies = await server.populate(config);
    for (const p of proxies) process.stdout.write(`proxy ${p.name}: ${p.listen} -> ${p.upstream}\n`);
  } catch (error) {
    await server.close();
    fail(`cannot populate from ${options.config}: ${(error as Error).message}`);
  }
}
shutdown.add({ name: 'fault proxy', run: () => server.close() });
process.stdout.write(`toxiproxy API listening on ${server.url}\n`);
