import net from 'node:net';

/**
 * Lowest and highest port handed out. Below Linux's ephemeral range (32768–60999), so a proxy or
 * service port never collides with an outgoing connection's source port (Toxiproxy FAQ).
 */
const LOW = 20_000;
const HIGH = 32_000;
const taken = new Set<number>();

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A currently free TCP port on `host` outside the ephemeral range; never the same one twice per process. */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (taken.has(port)) continue;
    if (await canListen(port, host)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free TCP port found between ${LOW} and ${HIGH} on ${host}`);
}
