import type { AddressInfo } from 'node:net';

export interface HostPort {
  /** Undefined means every interface, as Go's ":8474". */
  host: string | undefined;
  port: number;
}

/** Parses Toxiproxy's "host:port" (also "[::1]:port" and ":port"); undefined when malformed. */
export function parseHostPort(address: string): HostPort | undefined {
  const colon = address.lastIndexOf(':');
  if (colon < 0) return undefined;
  const rawHost = address.slice(0, colon);
  const rawPort = address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) > 65535) return undefined;
  const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost;
  return { host: host === '' ? undefined : host, port: Number(rawPort) };
}

/** Formats a bound address the way Go's net.Addr.String() does. */
export function formatAddress({ address, port }: AddressInfo): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
