import { setTimeout as sleep } from 'node:timers/promises';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFloodSender, startHashingSink } from './flood-helpers.ts';
import { LINK_HIGH_WATER_BYTES } from './link-flow.ts';
import { createToxiproxyServer, type ToxiproxyServer } from './toxiproxy-server.ts';

/** What a sender offers; far more than a slow toxic can pass in the window. */
const OFFERED_BYTES = 64 * 1024 * 1024;
/**
 * How long the sender floods a slow toxic. The assertions are upper bounds that hold however long
 * the window lasts (a bounded proxy stays bounded), so a slow machine cannot make them pass or fail.
 */
const WINDOW_MS = 4_000;
/**
 * Bytes the sender got rid of that have not reached the upstream. Loopback socket buffers (the
 * sender's send buffer plus the proxy's receive buffer) take a few MB before TCP pushes back;
 * real Toxiproxy lets about 3.8 MB through in the bandwidth case.
 */
const MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024;
/** The high-water mark plus the one socket read (at most 64 KiB) that crosses it. */
const MAX_HELD_BYTES = LINK_HIGH_WATER_BYTES + 64 * 1024;

let server: ToxiproxyServer;
let toxiproxy: Toxiproxy;
let proxyCount = 0;

beforeAll(async () => {
  server = await createToxiproxyServer({ port: 0 });
  toxiproxy = new Toxiproxy(server.url);
});

afterAll(() => server.close());

type ToxicBody = Parameters<Proxy['addToxic']>[0];

/** Floods a proxy whose upstream stream carries `body`, then removes the toxic and lets the rest through. */
async function floodThrough(body: Omit<ToxicBody, 'stream' | 'toxicity' | 'name'>) {
  proxyCount += 1;
  const name = `flood_${proxyCount}`;
  const sink = await startHashingSink();
  const proxy = await toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream: sink.address });
  const toxic = await proxy.addToxic({ ...body, name: 'slow', stream: 'upstream', toxicity: 1 });
  const sender = startFloodSender(proxy.listen, OFFERED_BYTES);
  let maxHeld = 0;
  const sample = (): void => void (maxHeld = Math.max(maxHeld, server.heldBytes()[name] ?? 0));
  const sampler = setInterval(sample, 20);
  await sleep(WINDOW_MS);
  clearInterval(sampler);
  sample();
  const measured = { senderBytes: sender.flushed(), upstreamBytes: sink.received(), maxHeld };
  // The figures a reader compares with real Toxiproxy (sender ~3.8 MB, upstream ~0.4 MB for bandwidth).
  console.info(`${body.type}: ${JSON.stringify(measured)}`);
  await toxic.remove();
  const [sentSha256, arrived] = await Promise.all([sender.done, sink.firstStream]);
  sender.destroy();
  await proxy.remove();
  await sink.close();
  return { ...measured, sentSha256, arrived };
}

describe('backpressure through slow toxics (64 MB offered for 4 s)', () => {
  it('bandwidth 100 KB/s stops reading the sender and holds at most the high-water mark', async () => {
    const result = await floodThrough({ type: 'bandwidth', attributes: { rate: 100 } });
    expect(result.senderBytes - result.upstreamBytes).toBeLessThanOrEqual(MAX_IN_FLIGHT_BYTES);
    expect(result.maxHeld).toBeLessThanOrEqual(MAX_HELD_BYTES);
    expect(result.upstreamBytes).toBeLessThan(1024 * 1024);
    expect(result.senderBytes).toBeLessThanOrEqual(MAX_IN_FLIGHT_BYTES + 1024 * 1024);
    expect(result.arrived).toEqual({ bytes: OFFERED_BYTES, sha256: result.sentSha256 });
  });

  it('latency 1000 ms stops reading the sender and holds at most the high-water mark', async () => {
    const result = await floodThrough({ type: 'latency', attributes: { latency: 1000, jitter: 0 } });
    expect(result.senderBytes - result.upstreamBytes).toBeLessThanOrEqual(MAX_IN_FLIGHT_BYTES);
    expect(result.maxHeld).toBeLessThanOrEqual(MAX_HELD_BYTES);
    expect(result.arrived).toEqual({ bytes: OFFERED_BYTES, sha256: result.sentSha256 });
  });

  it('slicer with a 1 ms gap per 100-byte piece stops reading the sender and holds at most the high-water mark', async () => {
    const result = await floodThrough({
      type: 'slicer',
      attributes: { average_size: 100, size_variation: 0, delay: 1000 },
    });
    expect(result.senderBytes - result.upstreamBytes).toBeLessThanOrEqual(MAX_IN_FLIGHT_BYTES);
    expect(result.maxHeld).toBeLessThanOrEqual(MAX_HELD_BYTES);
    expect(result.arrived).toEqual({ bytes: OFFERED_BYTES, sha256: result.sentSha256 });
  });
});
