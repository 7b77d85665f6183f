import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTcpGate, type TcpGate } from '../shared/testing/tcp-gate.ts';
import { connectApiDatabase } from './database.ts';
import { createTestDatabase, type TestDatabase } from './testing/postgres-test-database.ts';

/** Rejects with `bound` if `work` has not settled after `ms` milliseconds (a generous limit). */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`bound: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([work, bound]).finally(() => clearTimeout(timer));
}

let database: TestDatabase;
let silent: net.Server;
const sockets = new Set<net.Socket>();
let gate: TcpGate;
beforeAll(async () => {
  database = await createTestDatabase();
  // Accepts connections and never says a word: a database behind a black hole.
  silent = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const target = new URL(database.url);
  gate = await createTcpGate({ target: { host: target.hostname, port: Number(target.port || 5432) } });
});
afterAll(async () => {
  await gate?.close();
  sockets.forEach((socket) => socket.destroy());
  silent?.close();
  await database?.drop();
});

describe('API database timeouts', () => {
  it('fails a read within its timeout when the database never answers the handshake', async () => {
    const url = new URL(database.url);
    url.host = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const db = await connectApiDatabase({ url: url.toString(), poolSize: 2, timeoutMs: 300 });
    const error = await within(db.store.get(randomUUID()), 10_000).catch((e: unknown) => e);
    expect(String(error)).not.toMatch(/bound/);
    expect(error).toBeInstanceOf(Error);
    await db.store.close();
  });

  it('fails a read within its timeout when the database stops answering mid-connection', async () => {
    const url = new URL(database.url);
    url.host = `127.0.0.1:${gate.port}`;
    const db = await connectApiDatabase({ url: url.toString(), poolSize: 1, timeoutMs: 300 });
    expect(await db.store.get(randomUUID())).toBeUndefined();
    gate.cut({ mode: 'blackhole' });
    const error = await within(db.store.get(randomUUID()), 10_000).catch((e: unknown) => e);
    expect(String(error)).not.toMatch(/bound/);
    expect(error).toBeInstanceOf(Error);
    gate.restore();
    await db.store.close();
  });
});
