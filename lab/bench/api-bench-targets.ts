// Child process of api-bench.ts: hosts the three HTTP targets so the load generator (the parent)
// does not share their event loop. Sends their URLs over IPC, stops on 'stop' or parent exit.
import http from 'node:http';
import express from 'express';
import { createLogger } from '../../system/shared/logger.ts';
import { loadApiConfig } from '../../system/api/config.ts';
import { createApiService } from '../../system/api/service.ts';
import { createTestDatabase } from '../../system/api/testing/postgres-test-database.ts';

export interface BenchTargets {
  bareHttp: string;
  bareExpress: string;
  api: string;
  studentPath: string;
}

const listen = (server: http.Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`),
    ),
  );

const database = await createTestDatabase();
const config = loadApiConfig({
  ...process.env,
  DATABASE_URL: database.url,
  DEDUPE_MODE: 'cache',
  DEDUPE_GET_WINDOW_SEC: '3600',
});
const service = await createApiService(config, createLogger({ service: 'api', level: 'warn' }));
const apiUrl = `http://127.0.0.1:${await service.listen(0)}`;
const created = await fetch(`${apiUrl}/api/students`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ firstName: 'Bench', lastName: 'Mark', email: 'bench@example.com' }),
});
const student = Buffer.from(await created.text());
const studentPath = `/api/students/${(JSON.parse(student.toString()) as { id: string }).id}`;
await fetch(`${apiUrl}${studentPath}`);

// Same body and content type as the API answers with, so only the serving path differs.
const bare = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': student.length });
  res.end(student);
});
const app = express();
app.get('/api/students/:id', (_req, res) => void res.type('application/json').send(student));
const bareExpress = http.createServer(app);

const targets: BenchTargets = {
  bareHttp: await listen(bare),
  bareExpress: await listen(bareExpress),
  api: apiUrl,
  studentPath,
};
process.send?.(targets);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  bare.close();
  bareExpress.close();
  await service.close();
  await database.drop();
  process.exit(0);
};
process.on('message', (m) => void (m === 'stop' && stop()));
process.on('disconnect', () => void stop());
