import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, isApiError } from './api-errors.ts';
import type { ToxiproxyLogger } from './logger.ts';
import { parseProxyInput, proxiesToJson, type ProxyCollection } from './proxy-collection.ts';
import { parseNewToxic, parseToxicUpdate, toxicToJson } from './toxic-spec.ts';

/**
 * Reported by GET /version. Build metadata (after "+") tells a reader this is the embedded fault
 * proxy without changing the precedence: semver ranks it equal to 2.12.0, where a "-" suffix
 * would make it a pre-release that sorts below.
 */
export const TOXIPROXY_VERSION = '2.12.0+embedded';

/** Request bodies are tiny JSON documents; anything larger is a mistake, not a proxy list. */
const MAX_BODY_BYTES = 1024 * 1024;

interface Reply {
  status: number;
  body?: unknown;
}

type Handler = (params: string[], body: () => Promise<unknown>) => Promise<Reply>;

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError('badRequestBody', 'body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  // Go's json decoder reports an empty body as EOF.
  if (text.trim() === '') throw new ApiError('badRequestBody', 'EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError('badRequestBody', (error as Error).message, { cause: error });
  }
}

function routes(proxies: ProxyCollection): Array<[string, RegExp, Handler]> {
  const ok = (body: unknown, status = 200): Reply => ({ status, body });
  const noContent: Reply = { status: 204 };
  return [
    ['GET', /^\/version$/, () => Promise.resolve(ok({ version: TOXIPROXY_VERSION }))],
    ['POST', /^\/reset$/, async () => (await proxies.reset(), noContent)],
    [
      'GET',
      /^\/proxies$/,
      () => Promise.resolve(ok(Object.fromEntries(proxies.list().map((p) => [p.name, p.toJSON()])))),
    ],
    [
      'POST',
      /^\/proxies$/,
      async (_, body) => ok((await proxies.create(parseProxyInput(await body()))).toJSON(), 201),
    ],
    [
      'POST',
      /^\/populate$/,
      async (_, body) => {
        const input = await body();
        if (!Array.isArray(input)) throw new ApiError('badRequestBody', 'expected a JSON array of proxies');
        const parsed = input.map((item, i) => parseProxyInput(item, ` at proxy ${i + 1}`));
        return ok({ proxies: proxiesToJson(await proxies.populate(parsed)) }, 201);
      },
    ],
    ['GET', /^\/proxies\/([^/]+)$/, ([name]) => Promise.resolve(ok(proxies.get(name!).toJSON()))],
    [
      'POST|PATCH',
      /^\/proxies\/([^/]+)$/,
      async ([name], body) => {
        const proxy = proxies.get(name!);
        const current = proxy.settings();
        const input = parseProxyInput({ ...current, ...asRecord(await body()), name });
        await proxy.update(input);
        return ok(proxy.toJSON());
      },
    ],
    ['DELETE', /^\/proxies\/([^/]+)$/, async ([name]) => (await proxies.remove(name!), noContent)],
    [
      'GET',
      /^\/proxies\/([^/]+)\/toxics$/,
      ([name]) => Promise.resolve(ok(proxies.get(name!).toJSON().toxics)),
    ],
    [
      'POST',
      /^\/proxies\/([^/]+)\/toxics$/,
      async ([name], body) => {
        const proxy = proxies.get(name!);
        const spec = parseNewToxic(await body(), (toxic) => proxy.findToxic(toxic) !== undefined);
        proxy.addToxic(spec);
        return ok(toxicToJson(spec));
      },
    ],
    [
      'GET',
      /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      ([name, toxic]) => Promise.resolve(ok(toxicToJson(findToxic(proxies, name!, toxic!)))),
    ],
    [
      'POST|PATCH',
      /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      async ([name, toxic], body) => {
        const current = findToxic(proxies, name!, toxic!);
        const spec = parseToxicUpdate(await body(), current);
        proxies.get(name!).updateToxic(spec);
        return ok(toxicToJson(spec));
      },
    ],
    [
      'DELETE',
      /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      ([name, toxic]) => {
        findToxic(proxies, name!, toxic!);
        proxies.get(name!).removeToxic(toxic!);
        return Promise.resolve(noContent);
      },
    ],
  ];
}

function asRecord(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('badRequestBody', 'expected a JSON object');
  }
  return body as Record<string, unknown>;
}

function findToxic(proxies: ProxyCollection, proxyName: string, toxicName: string) {
  const toxic = proxies.get(proxyName).findToxic(toxicName);
  if (toxic === undefined) throw new ApiError('toxicNotFound');
  return toxic;
}

function send(response: ServerResponse, { status, body }: Reply): void {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}

/** What Go's http.Error writes, which is how Toxiproxy sends errors: the JSON goes out as plain text. */
function sendPlain(response: ServerResponse, status: number, text: string): void {
  response
    .writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
    .end(`${text}\n`);
}

function sendError(response: ServerResponse, path: string, error: ApiError): void {
  // Populate answers with the proxies it made so far, written as JSON rather than through http.Error.
  if (path === '/populate')
    send(response, { status: error.status, body: { ...error.toJSON(), proxies: [] } });
  else if (error.code === 'browserRejected') sendPlain(response, error.status, error.message);
  else sendPlain(response, error.status, JSON.stringify(error.toJSON()));
}

function decodeParams(match: RegExpExecArray): string[] {
  try {
    return match.slice(1).map((p) => decodeURIComponent(p));
  } catch (error) {
    throw new ApiError('badRequestPath', (error as Error).message, { cause: error });
  }
}

/** Toxiproxy's HTTP API as a plain node:http request listener. */
export function createToxiproxyApi(proxies: ProxyCollection, logger: ToxiproxyLogger) {
  const table = routes(proxies);
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://toxiproxy').pathname;
    const matches = table.flatMap(([methods, pattern, handler]) => {
      const match = pattern.exec(path);
      return match === null ? [] : [{ methods: methods.split('|'), match, handler }];
    });
    const route = matches.find((m) => m.methods.includes(method));
    // Toxiproxy's router answers these itself, before any handler: Go's plain 404 and an empty 405.
    if (matches.length === 0) return sendPlain(response, 404, '404 page not found');
    if (route === undefined) return void response.writeHead(405).end();
    try {
      // Toxiproxy refuses browsers so a web page cannot drive the API (CSRF).
      if (request.headers['user-agent']?.startsWith('Mozilla/')) throw new ApiError('browserRejected');
      send(response, await route.handler(decodeParams(route.match), () => readJson(request)));
    } catch (error) {
      const apiError = isApiError(error) ? error : new ApiError('internal', String(error), { cause: error });
      if (!isApiError(error)) logger.warn({ err: String(error), method, path }, 'unexpected API error');
      sendError(response, path, apiError);
    }
  };
}
