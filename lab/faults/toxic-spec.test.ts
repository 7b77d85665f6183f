import { describe, expect, it } from 'vitest';
import { ApiError } from './api-errors.ts';
import { parseNewToxic, parseToxicUpdate } from './toxic-spec.ts';
import { listToxicTypes } from './toxics/registry.ts';

const free = (): boolean => false;

function statusOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error.status;
    throw error;
  }
  return undefined;
}

describe('toxic attribute validation', () => {
  it('registers every toxic the lab relies on', () => {
    expect(listToxicTypes().sort()).toEqual(
      ['bandwidth', 'latency', 'limit_data', 'noop', 'reset_peer', 'slicer', 'slow_close', 'timeout'].sort(),
    );
  });

  it.each([
    ['latency', { latency: 0, jitter: 0 }],
    ['bandwidth', { rate: 0 }],
    ['slow_close', { delay: 0 }],
    ['timeout', { timeout: 0 }],
    ['reset_peer', { timeout: 0 }],
    ['limit_data', { bytes: 0 }],
  ])('fills missing %s attributes with 0 like Toxiproxy', (type, attributes) => {
    expect(parseNewToxic({ type }, free).attributes).toEqual(attributes);
  });

  it('ignores unknown attributes and keeps only the known ones', () => {
    expect(
      parseNewToxic({ type: 'latency', attributes: { latency: 3, extra: 'x' } }, free).attributes,
    ).toEqual({
      latency: 3,
      jitter: 0,
    });
  });

  it.each([
    [{ type: 'latency', attributes: { latency: 1.5 } }],
    [{ type: 'latency', attributes: { latency: 2 ** 31 } }],
    [{ type: 'latency', attributes: { jitter: 1e12 } }],
    [{ type: 'latency', attributes: { latency: 2 ** 60 } }],
    [{ type: 'timeout', attributes: { timeout: 2 ** 31 } }],
    [{ type: 'reset_peer', attributes: { timeout: 2 ** 31 } }],
    [{ type: 'slow_close', attributes: { delay: 2 ** 31 } }],
    [{ type: 'slicer', attributes: { average_size: 10, delay: 2 ** 31 * 1000 } }],
    [{ type: 'bandwidth', attributes: { rate: '100' } }],
    [{ type: 'bandwidth', attributes: { rate: -1 } }],
    [{ type: 'slicer', attributes: { average_size: 10, size_variation: 11 } }],
    [{ type: 'slicer', attributes: { average_size: 0 } }],
    [{ type: 'slicer', attributes: { average_size: 5, size_variation: -5 } }],
    [{ type: 'limit_data', attributes: [] }],
    [{ type: 'timeout', toxicity: '1' }],
  ])('rejects %j with 400', (body) => {
    expect(statusOf(() => parseNewToxic(body, free))).toBe(400);
  });

  it.each([
    [{ type: 'latency', attributes: { latency: -1, jitter: -1 } }],
    [{ type: 'latency', attributes: { latency: 2 ** 31 - 1 } }],
    [{ type: 'timeout', toxicity: -0.1 }],
    [{ type: 'timeout', toxicity: 2 }],
    [{ type: 'slicer', attributes: { average_size: 10, size_variation: 10 } }],
    [{ type: 'limit_data', attributes: { bytes: -1 } }],
    [{ type: 'noop' }],
  ])('accepts %j as Toxiproxy does', (body) => {
    expect(parseNewToxic(body, free)).toMatchObject(body);
  });

  it('checks stream before type and type before name, as Toxiproxy does', () => {
    expect(() => parseNewToxic({ type: 'nope', stream: 'x' }, () => true)).toThrow('stream was invalid');
    expect(() => parseNewToxic({ type: 'nope' }, () => true)).toThrow('invalid toxic type');
    expect(statusOf(() => parseNewToxic({ type: 'latency' }, () => true))).toBe(409);
  });

  it('names a toxic <type>_<stream> by default', () => {
    expect(parseNewToxic({ type: 'timeout', stream: 'upstream' }, free)).toMatchObject({
      name: 'timeout_upstream',
      stream: 'upstream',
      toxicity: 1,
    });
  });

  it('updates attributes and toxicity but never name, type or stream', () => {
    const current = parseNewToxic(
      { name: 'n', type: 'latency', attributes: { latency: 5, jitter: 2 } },
      free,
    );
    const next = parseToxicUpdate(
      { name: 'other', type: 'timeout', toxicity: 0.5, attributes: { jitter: 9 } },
      current,
    );
    expect(next).toMatchObject({
      name: 'n',
      type: 'latency',
      toxicity: 0.5,
      attributes: { latency: 5, jitter: 9 },
    });
  });
});
