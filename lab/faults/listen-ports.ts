import net from 'node:net';
import { parseHostPort } from './addresses.ts';

/** Free ports for the given hosts (undefined = every interface); undefined where none could be bound. */
export type PortPicker = (hosts: ReadonlyArray<string | undefined>) => Promise<Array<number | undefined>>;

/** What a proxy without a listen address gets (proxy-collection's default). */
const DEFAULT_LISTEN = '127.0.0.1:0';

interface ListenSlot {
  holder: Record<string, unknown>;
  address: string;
  host: string | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The proxy bodies of a request whose `listen` the shards would each resolve on their own:
 * POST /proxies and each item of POST /populate (a missing listen means 127.0.0.1:0), and
 * POST|PATCH /proxies/:name (a missing listen keeps the current address; only "" means the default).
 */
function proxyBodies(
  method: string,
  pathname: string,
  body: unknown,
): Array<[Record<string, unknown>, boolean]> {
  if (method === 'POST' && pathname === '/proxies' && isRecord(body)) return [[body, true]];
  if (method === 'POST' && pathname === '/populate' && Array.isArray(body)) {
    return body.filter(isRecord).map((item) => [item, true]);
  }
  if ((method === 'POST' || method === 'PATCH') && /^\/proxies\/[^/]+$/.test(pathname) && isRecord(body)) {
    return [[body, false]];
  }
  return [];
}

function slotOf(holder: Record<string, unknown>, missingMeansDefault: boolean): ListenSlot | undefined {
  const listen = holder.listen;
  const address = listen === '' || (listen === undefined && missingMeansDefault) ? DEFAULT_LISTEN : listen;
  if (typeof address !== 'string') return undefined;
  const parsed = parseHostPort(address);
  // Malformed or concrete addresses go through unchanged: the shards give Toxiproxy's answer.
  if (parsed === undefined || parsed.port !== 0) return undefined;
  return { holder, address, host: parsed.host };
}

/**
 * In a node:cluster worker `listen(0)` does not pick a fresh port, so every listen address with
 * port 0 in a request body is replaced by one concrete free port before the request is sent to
 * the shards; all of them then listen on the same port. A body that is not JSON is returned as is.
 */
export async function resolveListenPorts(
  method: string,
  pathname: string,
  body: Buffer,
  pickPorts: PortPicker,
): Promise<Buffer> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return body;
  }
  const slots = proxyBodies(method, pathname, parsed)
    .map(([holder, missingMeansDefault]) => slotOf(holder, missingMeansDefault))
    .filter((slot) => slot !== undefined);
  if (slots.length === 0) return body;
  const ports = await pickPorts(slots.map((slot) => slot.host));
  slots.forEach((slot, i) => {
    const port = ports[i];
    if (port === undefined) return;
    slot.holder.listen = `${slot.address.slice(0, slot.address.lastIndexOf(':'))}:${port}`;
  });
  return Buffer.from(JSON.stringify(parsed));
}

function probe(host: string | undefined): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port: 0, exclusive: true }, () => resolve(server));
  });
}

/**
 * Asks the kernel for free ports, as `listen(0)` does in a single process. All probes stay bound
 * until every port is known, so one request never gets the same port twice.
 */
export const pickFreePorts: PortPicker = async (hosts) => {
  const probes = await Promise.all(hosts.map(probe));
  const ports = probes.map((server) => (server?.address() as net.AddressInfo | undefined)?.port);
  await Promise.all(
    probes.map((server) => new Promise((resolve) => (server ? server.close(resolve) : resolve(0)))),
  );
  return ports;
};
