import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSeededRandom } from './random.ts';
import { createToxicChain } from './toxic-chain.ts';
import { parseNewToxic } from './toxic-spec.ts';
import { sliceOffsets } from './toxics/slicer.ts';

/** A chain wired to a recording sink; fake timers make every delay exact. */
function setup(random: () => number = () => 0.5, closeWithReset = false) {
  const events: Array<{ at: number; what: string }> = [];
  const record = (what: string): void => void events.push({ at: Date.now(), what });
  const chain = createToxicChain(
    { push: (chunk) => record(chunk.toString()), end: () => record('END'), reset: () => record('RESET') },
    random,
    () => Date.now(),
    { closeWithReset },
  );
  const add = (body: object): void => chain.add(parseNewToxic(body, () => false));
  return { chain, events, add, relative: () => events.map((e) => ({ ...e, at: e.at - start })) };
}
let start = 0;

beforeEach(() => {
  vi.useFakeTimers();
  start = Date.now();
});
afterEach(() => vi.useRealTimers());

describe('toxic chain', () => {
  it('delays every chunk by latency and keeps order under jitter', () => {
    const { chain, add, relative } = setup(createSeededRandom(7));
    add({ type: 'latency', attributes: { latency: 100, jitter: 50 } });
    chain.write(Buffer.from('a'));
    vi.advanceTimersByTime(10);
    chain.write(Buffer.from('b'));
    chain.end();
    vi.advanceTimersByTime(500);
    const out = relative();
    expect(out.map((e) => e.what)).toEqual(['a', 'b', 'END']);
    expect(out[0]!.at).toBeGreaterThanOrEqual(50);
    expect(out[0]!.at).toBeLessThan(150);
  });

  it('passes data untouched when toxicity loses the roll', () => {
    const { chain, add, events } = setup(() => 0.99);
    add({ type: 'timeout', toxicity: 0.5, attributes: { timeout: 0 } });
    chain.write(Buffer.from('x'));
    expect(events.map((e) => e.what)).toEqual(['x']);
  });

  it('limits data to exactly N bytes across chunks, then ends', () => {
    const { chain, add, events } = setup();
    add({ type: 'limit_data', attributes: { bytes: 5 } });
    chain.write(Buffer.from('abc'));
    chain.write(Buffer.from('defg'));
    chain.write(Buffer.from('h'));
    expect(events.map((e) => e.what)).toEqual(['abc', 'de', 'END']);
  });

  it('flushes held chunks immediately when a toxic is removed', () => {
    const { chain, add, events } = setup();
    add({ type: 'latency', attributes: { latency: 1000 } });
    chain.write(Buffer.from('held'));
    chain.remove('latency_downstream');
    expect(events).toEqual([{ at: start, what: 'held' }]);
  });

  it('closes the link when an active timeout toxic is removed', () => {
    const { chain, add, events } = setup();
    add({ type: 'timeout', attributes: { timeout: 0 } });
    chain.write(Buffer.from('lost'));
    vi.advanceTimersByTime(10_000);
    expect(events).toEqual([]);
    chain.remove('timeout_downstream');
    expect(events.map((e) => e.what)).toEqual(['END']);
  });

  it('paces bandwidth at rate bytes per millisecond in 100 ms pieces', () => {
    const { chain, add, relative } = setup();
    add({ type: 'bandwidth', attributes: { rate: 1 } });
    chain.write(Buffer.alloc(250, 'z'));
    vi.advanceTimersByTime(1000);
    expect(relative().map((e) => [e.at, e.what.length])).toEqual([
      [100, 100],
      [200, 100],
      [250, 50],
    ]);
  });

  it('resets timeout ms after the first chunk for reset_peer on a connection opened with it, dropping the data', () => {
    const { chain, add, relative } = setup(() => 0.5, true);
    add({ type: 'reset_peer', attributes: { timeout: 40 } });
    chain.write(Buffer.from('x'));
    vi.advanceTimersByTime(100);
    expect(relative()).toEqual([{ at: 40, what: 'RESET' }]);
  });

  it('closes with a plain end timeout ms after the first chunk for reset_peer added to an open connection', () => {
    const { chain, add, relative } = setup();
    add({ type: 'reset_peer', attributes: { timeout: 40 } });
    chain.write(Buffer.from('x'));
    vi.advanceTimersByTime(100);
    expect(relative()).toEqual([{ at: 40, what: 'END' }]);
  });

  it('stops all timers when destroyed', () => {
    const { chain, add, events } = setup();
    add({ type: 'slow_close', attributes: { delay: 50 } });
    chain.end();
    chain.destroy();
    vi.advanceTimersByTime(100);
    expect(events).toEqual([]);
  });
});

describe('slicer offsets', () => {
  it('covers the whole chunk with pieces within average ± variation', () => {
    const offsets = sliceOffsets(
      0,
      1000,
      { average_size: 100, size_variation: 20, delay: 0 },
      createSeededRandom(1),
    );
    const sizes = offsets.map((end, i) => end - (offsets[i - 1] ?? 0));
    expect(offsets.at(-1)).toBe(1000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(120);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
  });
});
