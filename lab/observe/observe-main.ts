// `npm run observe [-- options]`: a real Prometheus (Debian package, no Docker) scraping the locally
// running services and the lab, in the foreground until Ctrl-C.
import { parseArgs } from 'node:util';
import { notificationsProcesses } from '../../contracts/haproxy-config.ts';
import {
  defaultScrapeTargets,
  ensurePrometheus,
  startPrometheus,
  type ScrapeTarget,
} from './prometheus-runner.ts';

const usage = `Usage: npm run observe [-- options]
  --api <host:port>            default 127.0.0.1:5000   (env OBSERVE_API)
  --notifications <host:port>  default 127.0.0.1:5001   (env OBSERVE_NOTIFICATIONS; several separated by
                               commas; with NOTIFICATIONS_PROCESSES > 1, each process from 127.0.0.1:5011)
  --worker <host:port>         default 127.0.0.1:5002   (env OBSERVE_WORKER)
  --lab <host:port>            default 127.0.0.1:9464   (env OBSERVE_LAB; served while a scenario runs)
  --port <n>                   Prometheus port, default 9090, 0 = any free port (env OBSERVE_PORT)
  --listen <host>              Prometheus address, default 127.0.0.1
  --scrape-interval <seconds>  default 5`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      api: { type: 'string' },
      notifications: { type: 'string' },
      worker: { type: 'string' },
      lab: { type: 'string' },
      port: { type: 'string' },
      listen: { type: 'string', default: '127.0.0.1' },
      'scrape-interval': { type: 'string', default: '5' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const address = (job: string, flag: string | undefined) =>
    flag ??
    process.env[`OBSERVE_${job.toUpperCase()}`] ??
    defaultScrapeTargets.find((t) => t.job === job)?.address ??
    '';
  // Several notifications processes (`npm start` with NOTIFICATIONS_PROCESSES above 1): each one
  // is scraped, not the balancer in front of them, which would answer for a different one each time.
  const processes = Number(process.env.NOTIFICATIONS_PROCESSES ?? notificationsProcesses.default);
  const firstPort = Number(process.env.NOTIFICATIONS_FIRST_PROCESS_PORT ?? notificationsProcesses.firstPort);
  const notificationsDefault =
    processes > 1
      ? Array.from({ length: processes }, (_, i) => `127.0.0.1:${firstPort + i}`).join(',')
      : undefined;
  const targets: ScrapeTarget[] = defaultScrapeTargets.flatMap(({ job }) => {
    const flag = values[job as 'api' | 'notifications' | 'worker' | 'lab'];
    const given =
      job === 'notifications' ? (flag ?? process.env.OBSERVE_NOTIFICATIONS ?? notificationsDefault) : flag;
    // A comma-separated list scrapes several processes as one job.
    return address(job, given)
      .split(',')
      .map((one) => ({ job, address: one.trim() }));
  });
  const port = Number(values.port ?? process.env.OBSERVE_PORT ?? 9090);
  const scrapeIntervalSec = Number(values['scrape-interval']);
  const problems = [
    ...targets
      .filter((t) => !/^[^\s:]+:\d{1,5}$/.test(t.address))
      .map(
        (t) =>
          `--${t.job}: expected host:port${t.job === 'notifications' ? ' (several separated by commas)' : ''}`,
      ),
    ...(Number.isInteger(port) && port >= 0 && port < 65536
      ? []
      : ['--port: expected 0-65535 (0 = any free port)']),
    ...(scrapeIntervalSec >= 1 ? [] : ['--scrape-interval: expected seconds >= 1']),
  ];
  return { help: values.help === true, targets, port, host: values.listen, scrapeIntervalSec, problems };
}

async function main(): Promise<number> {
  // A closed stdout (e.g. the terminal or parent went away) must not stop us from stopping Prometheus.
  process.stdout.on('error', () => undefined);
  const options = parseOptions();
  if (options.help) {
    console.log(usage);
    return 0;
  }
  if (options.problems.length > 0) {
    console.error(`observe: ${options.problems.join('; ')}\n${usage}`);
    return 2;
  }
  for (const line of ensurePrometheus().split('\n')) if (/installing/.test(line)) console.log(line);
  const prometheus = await startPrometheus({
    ...options,
    onLog: (line) => {
      if (/level=(error|warn)/.test(line) && !/Received SIG/.test(line))
        console.error(`[prometheus] ${line}`);
    },
  });
  console.log(`observe: Prometheus ${prometheus.url} (config ${prometheus.configPath})`);
  for (const { job, address } of options.targets)
    console.log(`  scraping ${job.padEnd(14)} http://${address}/metrics`);
  console.log(
    `  targets: ${prometheus.url}/targets · Grafana: add ${prometheus.url} as a Prometheus data source`,
  );
  console.log('  Ctrl-C stops it');
  const stopOn = (signal: NodeJS.Signals) =>
    new Promise<NodeJS.Signals>((resolve) => process.once(signal, () => resolve(signal)));
  const outcome = await Promise.race([stopOn('SIGINT'), stopOn('SIGTERM'), prometheus.exited]);
  if (typeof outcome === 'string') {
    console.log(`observe: ${outcome}, stopping Prometheus`);
    await prometheus.stop();
    return 0;
  }
  console.error(`observe: Prometheus exited unexpectedly (code ${outcome})`);
  await prometheus.stop();
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`observe: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
