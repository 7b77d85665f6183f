import type { Toxiproxy, ToxicDirection, ToxicType } from 'toxiproxy-node-client';

/**
 * Typed wrappers over toxiproxy-node-client, so scenarios say what they mean ("cut the broker",
 * "partition it") and work the same against the embedded proxy and a real Toxiproxy.
 */

/** Connection refused: new connections are refused and open ones are closed (proxy disabled). */
export async function disableProxy(toxiproxy: Toxiproxy, name: string): Promise<void> {
  const proxy = await toxiproxy.get(name);
  await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
}

export async function enableProxy(toxiproxy: Toxiproxy, name: string): Promise<void> {
  const proxy = await toxiproxy.get(name);
  await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
}

export interface ToxicOptions<T> {
  /** Default `<type>_<stream>`. */
  name?: string;
  type: ToxicType;
  stream?: ToxicDirection;
  /** 0..1, default 1. */
  toxicity?: number;
  attributes: T;
}

/** Adds a toxic and returns its name (for {@link removeToxic}). */
export async function addToxic<T>(
  toxiproxy: Toxiproxy,
  proxyName: string,
  toxic: ToxicOptions<T>,
): Promise<string> {
  const stream = toxic.stream ?? 'downstream';
  const name = toxic.name ?? `${toxic.type}_${stream}`;
  const proxy = await toxiproxy.get(proxyName);
  await proxy.addToxic({
    name,
    type: toxic.type,
    stream,
    toxicity: toxic.toxicity ?? 1,
    attributes: toxic.attributes,
  });
  return name;
}

export async function removeToxic(toxiproxy: Toxiproxy, proxyName: string, toxicName: string): Promise<void> {
  const proxy = await toxiproxy.get(proxyName);
  const toxic = await proxy.getToxic(toxicName);
  await toxic.remove();
}

/**
 * Network partition: `timeout` 0 on both streams, so bytes stop flowing but sockets stay open
 * (heartbeats expire) — unlike a disabled proxy, which refuses at once.
 */
export async function partition(toxiproxy: Toxiproxy, proxyName: string): Promise<void> {
  for (const stream of ['upstream', 'downstream'] as const) {
    await addToxic(toxiproxy, proxyName, {
      name: `partition_${stream}`,
      type: 'timeout',
      stream,
      attributes: { timeout: 0 },
    });
  }
}

export async function healPartition(toxiproxy: Toxiproxy, proxyName: string): Promise<void> {
  for (const stream of ['upstream', 'downstream'] as const) {
    await removeToxic(toxiproxy, proxyName, `partition_${stream}`);
  }
}
