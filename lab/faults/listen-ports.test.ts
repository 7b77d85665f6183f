import { describe, expect, it } from 'vitest';
import { resolveListenPorts, type PortPicker } from './listen-ports.ts';

/** Hands out 30001, 30002, … and records the hosts it was asked for. */
function fakePicker() {
  const asked: Array<string | undefined> = [];
  let next = 30_001;
  const pick: PortPicker = (hosts) => {
    asked.push(...hosts);
    return Promise.resolve(hosts.map(() => next++));
  };
  return { pick, asked };
}

async function resolve(method: string, path: string, body: unknown, pick = fakePicker().pick) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return (await resolveListenPorts(method, path, Buffer.from(raw), pick)).toString('utf8');
}

describe('resolveListenPorts', () => {
  it('gives POST /proxies a concrete port for port 0, a missing and an empty listen', async () => {
    const picker = fakePicker();
    const zero = await resolve(
      'POST',
      '/proxies',
      { name: 'a', listen: '127.0.0.2:0', upstream: 'x:1' },
      picker.pick,
    );
    const missing = await resolve('POST', '/proxies', { name: 'b', upstream: 'x:1' }, picker.pick);
    const empty = await resolve('POST', '/proxies', { name: 'c', listen: '', upstream: 'x:1' }, picker.pick);
    expect(JSON.parse(zero)).toEqual({ name: 'a', listen: '127.0.0.2:30001', upstream: 'x:1' });
    expect(JSON.parse(missing)).toMatchObject({ listen: '127.0.0.1:30002' });
    expect(JSON.parse(empty)).toMatchObject({ listen: '127.0.0.1:30003' });
    expect(picker.asked).toEqual(['127.0.0.2', '127.0.0.1', '127.0.0.1']);
  });

  it('keeps the host spelling: every interface and IPv6', async () => {
    const picker = fakePicker();
    const all = await resolve('POST', '/proxies', { name: 'a', listen: ':0', upstream: 'x:1' }, picker.pick);
    const v6 = await resolve(
      'POST',
      '/proxies',
      { name: 'b', listen: '[::1]:0', upstream: 'x:1' },
      picker.pick,
    );
    expect(JSON.parse(all)).toMatchObject({ listen: ':30001' });
    expect(JSON.parse(v6)).toMatchObject({ listen: '[::1]:30002' });
    expect(picker.asked).toEqual([undefined, '::1']);
  });

  it('gives every POST /populate item its own port in one pick', async () => {
    const picker = fakePicker();
    const body = [
      { name: 'a', upstream: 'x:1' },
      { name: 'b', listen: '127.0.0.1:0', upstream: 'x:1' },
      { name: 'c', listen: '127.0.0.1:4000', upstream: 'x:1' },
    ];
    const out = JSON.parse(await resolve('POST', '/populate', body, picker.pick)) as Array<{
      listen: string;
    }>;
    expect(out.map((p) => p.listen)).toEqual(['127.0.0.1:30001', '127.0.0.1:30002', '127.0.0.1:4000']);
  });

  it('leaves a missing listen of POST|PATCH /proxies/:name alone (it keeps the current address)', async () => {
    expect(await resolve('POST', '/proxies/a', { enabled: false })).toBe('{"enabled":false}');
    expect(JSON.parse(await resolve('PATCH', '/proxies/a', { listen: '127.0.0.1:0' }))).toEqual({
      listen: '127.0.0.1:30001',
    });
  });

  it('forwards bodies it cannot or need not rewrite byte for byte', async () => {
    expect(await resolve('POST', '/proxies', '{not json')).toBe('{not json');
    expect(await resolve('POST', '/proxies', ' {"name":"a","listen":"127.0.0.1:9","upstream":"x:1"}')).toBe(
      ' {"name":"a","listen":"127.0.0.1:9","upstream":"x:1"}',
    );
    expect(await resolve('POST', '/proxies', { name: 'a', listen: 'nonsense', upstream: 'x:1' })).toContain(
      '"nonsense"',
    );
    expect(await resolve('POST', '/proxies/a/toxics', { listen: '127.0.0.1:0' })).toContain('127.0.0.1:0');
  });

  it('leaves the address as it was when no port could be bound', async () => {
    const none: PortPicker = (hosts) => Promise.resolve(hosts.map(() => undefined));
    const out = await resolve(
      'POST',
      '/proxies',
      { name: 'a', listen: '10.255.255.1:0', upstream: 'x:1' },
      none,
    );
    expect(JSON.parse(out)).toMatchObject({ listen: '10.255.255.1:0' });
  });
});
