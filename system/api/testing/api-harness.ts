import { randomBytes } from 'node:crypto';
import { connect } from 'amqplib';
import { assertWorkerTopology } from '../../shared/topology.ts';
import { createLogger } from '../../shared/logger.ts';
import { loadApiConfig } from '../config.ts';
import { createApiService, type ApiService } from '../service.ts';
import { createTestDatabase, type TestDatabase } from './postgres-test-database.ts';

export interface TestApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  service: ApiService;
  database: TestDatabase;
  /** Sum of a counter's samples in the API's registry whose labels include `labels`. */
  counter(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

/**
 * The real API (service.ts, the same composition main.ts uses) on port 0 against a fresh
 * PostgreSQL database and the shared broker and Redis. `env` overrides configuration. Test-only.
 */
export async function startTestApi(
  env: Record<string, string> = {},
  options: { database?: TestDatabase; logLines?: string[] } = {},
): Promise<TestApi> {
  const database = options.database ?? (await createTestDatabase());
  const ownsDatabase = !options.database;
  const config = loadApiConfig({
    ...(process.env.AMQP_URL ? { AMQP_URL: process.env.AMQP_URL } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    DATABASE_URL: database.url,
    INSTANCE_ID: `api-test-${randomBytes(3).toString('hex')}`,
    ...env,
  });
  await ensureWorkerQueue(config.AMQP_URL);
  const service = await createApiService(
    config,
    options.logLines
      ? createLogger({
          service: 'api',
          level: 'warn',
          destination: { write: (line: string) => void options.logLines!.push(line) },
        })
      : createLogger({ service: 'api', level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  );
  const port = await service.listen(0);
  return {
    url: `http://127.0.0.1:${port}`,
    service,
    database,
    async counter(name, labels = {}) {
      const metric = service.testing.registry.getSingleMetric(name);
      if (!metric) return 0;
      const { values } = await metric.get();
      return values
        .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
        .reduce((sum, v) => sum + v.value, 0);
    },
    async close() {
      await service.close();
      if (ownsDatabase) await database.drop();
    },
  };
}

/**
 * The API publishes `mandatory`: on a fresh broker, before any worker declared `worker.students`,
 * its events would be returned and writes in direct mode refused. Tests declare the worker's
 * queue as a running worker would (idempotent on a broker that has it).
 */
async function ensureWorkerQueue(url: string): Promise<void> {
  const connection = await connect(url);
  try {
    await assertWorkerTopology(await connection.createChannel());
  } finally {
    await connection.close();
  }
}

export const studentBody = (n: number | string = 1) => ({
  firstName: `First${n}`,
  lastName: `Last${n}`,
  email: `student${n}@example.com`,
});

export const jsonHeaders = { 'content-type': 'application/json' };

/** Runs `count` tasks with at most `concurrency` at a time; results in task order. */
export async function inBatches<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Polls `predicate` every 50 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(
  predicate: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return predicate();
}
