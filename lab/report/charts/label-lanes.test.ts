import { describe, expect, it } from 'vitest';
import { labelWidthPx, layoutLabels } from './label-lanes.ts';

const overlaps = (a: { xPx: number; text: string }, b: { xPx: number; text: string }): boolean =>
  a.xPx < b.xPx + labelWidthPx(b.text) && b.xPx < a.xPx + labelWidthPx(a.text);

describe('layoutLabels', () => {
  it('puts labels that would overlap into different lanes and keeps every label inside the width', () => {
    const labels = [
      { text: 'outbox-refused-rabbitmq-cut', xPx: 32 },
      { text: 'outbox-partition-rabbitmq-cut', xPx: 220 },
      { text: 'direct-refused-rabbitmq-cut', xPx: 380 },
      { text: 'direct-partition-rabbitmq-cut', xPx: 523 },
      { text: 'broker-latency', xPx: 523 },
    ];
    const placed = layoutLabels(labels, 640);

    for (const [i, a] of placed.entries()) {
      expect(a.xPx).toBeGreaterThanOrEqual(0);
      expect(a.xPx + labelWidthPx(a.text)).toBeLessThanOrEqual(640);
      for (const b of placed.slice(i + 1)) if (a.lane === b.lane) expect(overlaps(a, b)).toBe(false);
    }
    expect(new Set(placed.map((p) => p.lane)).size).toBeGreaterThan(1);
  });

  it('shortens a label longer than the strip with an ellipsis', () => {
    const [placed] = layoutLabels([{ text: 'x'.repeat(300), xPx: 0 }], 120);
    expect(placed?.text).toHaveLength(20);
    expect(placed?.text.endsWith('…')).toBe(true);
  });
});
