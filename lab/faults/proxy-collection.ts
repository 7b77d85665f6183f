import { ApiError } from './api-errors.ts';
import type { ToxiproxyLogger } from './logger.ts';
import { createProxy, type Proxy, type ProxyJson, type ProxySettings } from './proxy.ts';

export interface ProxyInput extends ProxySettings {
  name: string;
}

export interface ProxyCollection {
  list(): Proxy[];
  get(name: string): Proxy;
  create(input: ProxyInput): Promise<Proxy>;
  /** Create or replace each proxy; an unchanged proxy (same listen and upstream) is kept as is. */
  populate(inputs: ProxyInput[]): Promise<Proxy[]>;
  remove(name: string): Promise<void>;
  /** Re-enable every proxy and remove every toxic. */
  reset(): Promise<void>;
  closeAll(): Promise<void>;
}

/** Listen defaults to loopback on a free port; Toxiproxy would take every interface. */
const DEFAULT_LISTEN = '127.0.0.1:0';

function field(input: Record<string, unknown>, key: string, where: string): string {
  const value = input[key];
  if (value === undefined || value === '') return '';
  if (typeof value !== 'string') throw new ApiError('badRequestBody', `${key}${where} must be a string`);
  return value;
}

/** Decodes one proxy body like Toxiproxy's ProxyCreate: name and upstream required, enabled defaults to true. */
export function parseProxyInput(body: unknown, where = ''): ProxyInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('badRequestBody', `expected a JSON object${where}`);
  }
  const input = body as Record<string, unknown>;
  const name = field(input, 'name', where);
  const upstream = field(input, 'upstream', where);
  const listen = field(input, 'listen', where) || DEFAULT_LISTEN;
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') {
    throw new ApiError('badRequestBody', `enabled${where} must be a boolean`);
  }
  if (name === '') throw new ApiError('missingField', `name${where}`);
  if (upstream === '') throw new ApiError('missingField', `upstream${where}`);
  return { name, listen, upstream, enabled: input.enabled ?? true };
}

export function createProxyCollection(deps: {
  random: () => number;
  now: () => number;
  connectTimeoutMs: number;
  logger: ToxiproxyLogger;
}): ProxyCollection {
  const proxies = new Map<string, Proxy>();

  const get = (name: string): Proxy => {
    const proxy = proxies.get(name);
    if (proxy === undefined) throw new ApiError('proxyNotFound');
    return proxy;
  };

  const start = async ({ name, listen, upstream, enabled }: ProxyInput): Promise<Proxy> => {
    const proxy = createProxy({ ...deps, name, listen, upstream });
    await proxy.update({ listen, upstream, enabled });
    return proxy;
  };

  return {
    list: () => [...proxies.values()],
    get,
    async create(input) {
      if (proxies.has(input.name)) throw new ApiError('proxyAlreadyExists');
      const proxy = await start(input);
      if (proxies.has(input.name)) {
        await proxy.stop();
        throw new ApiError('proxyAlreadyExists');
      }
      proxies.set(input.name, proxy);
      return proxy;
    },
    // A name listed twice is created, then replaced by the later entry, as Toxiproxy does.
    async populate(inputs) {
      const result: Proxy[] = [];
      for (const input of inputs) {
        const existing = proxies.get(input.name);
        const settings = existing?.settings();
        if (existing && settings?.listen === input.listen && settings.upstream === input.upstream) {
          result.push(existing);
          continue;
        }
        await existing?.stop();
        proxies.delete(input.name);
        const proxy = await start(input);
        proxies.set(input.name, proxy);
        result.push(proxy);
      }
      return result;
    },
    async remove(name) {
      const proxy = get(name);
      proxies.delete(name);
      await proxy.stop();
    },
    async reset() {
      for (const proxy of proxies.values()) {
        await proxy.update({ ...proxy.settings(), enabled: true });
        proxy.removeAllToxics();
      }
    },
    async closeAll() {
      const all = [...proxies.values()];
      proxies.clear();
      await Promise.allSettled(all.map((p) => p.stop()));
    },
  };
}

export const proxiesToJson = (proxies: Proxy[]): ProxyJson[] => proxies.map((p) => p.toJSON());
