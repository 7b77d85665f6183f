import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createToxiproxyServer } from './toxiproxy-server.ts';

const USAGE = 'usage: npm run toxiproxy -- [--host 127.0.0.1] [--port 8474] [--config proxies.json]';

interface CliOptions {
  host: string;
  port: number;
  config: string | undefined;
}

/** Exit 2 means the server could not be started as asked (bad option, bad config, port taken). */
function fail(message: string): never {
  process.stderr.write(`toxiproxy: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function readOptions(argv: string[]): CliOptions {
  let values: { host?: string; port?: string; config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        config: { type: 'string' },
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
  return { host: values.host ?? '127.0.0.1', port, config: values.config };
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
const server = await createToxiproxyServer({ host: options.host, port: options.port }).catch((error: Error) =>
  fail(`cannot listen on ${options.host}:${options.port}: ${error.message}`),
);
if (config !== undefined) {
  try {
    const proxies = await server.populate(config);
    for (const p of proxies) process.stdout.write(`proxy ${p.name}: ${p.listen} -> ${p.upstream}\n`);
  } catch (error) {
    await server.close();
    fail(`cannot populate from ${options.config}: ${(error as Error).message}`);
  }
}
process.stdout.write(`toxiproxy API listening on ${server.url}\n`);

const shutdown = (signal: string): void => {
  process.stdout.write(`toxiproxy: ${signal}, stopping\n`);
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', () => shutdown('SIGINT'));
process.once('SIGTERM', () => shutdown('SIGTERM'));
