import { describe, expect, it } from 'vitest';
import { createGroupBatcher } from './group-batcher.ts';

/** A batch runner whose batches finish only when the test says so. */
function controlledRunner() {
  const batches: { items: number[]; finish(results?: (number | Error)[]): void; fail(e: Error): void }[] = [];
  const run = (items: number[]) =>
    new Promise<(number | Error)[]>((resolve, reject) => {
      batches.push({
        items,
        finish: (results) => resolve(results ?? items.map((i) => i * 10)),
        fail: reject,
      });
    });
  return { batches, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('group batcher', () => {
  it('runs a lone call at once, alone, and groups the calls made while it runs', async () => {
    const { batches, run } = controlledRunner();
    const sizes: number[] = [];
    const batcher = createGroupBatcher({ run, maxBatch: 10, lanes: 1, onBatch: (n) => sizes.push(n) });
    const first = batcher.submit(1);
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    const rest = [2, 3, 4].map((i) => batcher.submit(i));
    expect(batches).toHaveLength(1);
    batches[0]!.finish();
    expect(await first).toBe(10);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    batches[1]!.finish();
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(sizes).toEqual([1, 3]);
  });

  it('never puts more than maxBatch in one group and keeps up to `lanes` groups in flight', async () => {
    const { batches, run } = controlledRunner();
    const batcher = createGroupBatcher({ run, maxBatch: 2, lanes: 2 });
    const all = [1, 2, 3, 4, 5].map((i) => batcher.submit(i));
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
    batches[0]!.finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4]]);
    batches[1]!.finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4], [5]]);
    batches[2]!.finish();
    batches[3]!.finish();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
  });

  it('fails only the item whose slot holds an Error, and every item when the batch rejects', async () => {
    const { batches, run } = controlledRunner();
    const batcher = createGroupBatcher({ run, maxBatch: 10, lanes: 1 });
    const lone = batcher.submit(0);
    const [a, b] = [batcher.submit(1), batcher.submit(2)];
    batches[0]!.fail(new Error('database down'));
    await expect(lone).rejects.toThrow('database down');
    await tick();
    batches[1]!.finish([10, new Error('bad row')]);
    expect(await a).toBe(10);
    await expect(b).rejects.toThrow('bad row');
  });
});
