// Prints the paired ratios (current ÷ baseline, round by round) of `before-after.sh`'s rounds.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [dir = 'reports/bench/before-after', roundsText = '5', out = 'reports/bench/before-after.json'] =
  process.argv.slice(2);
const summary: Record<string, unknown>[] = [];
const rounds = Number(roundsText);
const read = (name: string): Record<string, unknown> | undefined => {
  const file = path.join(dir, name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
};
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

type Pick = (result: Record<string, unknown>) => number | undefined;
const listenerFigures: [string, Pick][] = [
  ['server CPU µs per delivery', (r) => r.serverCpuUsPerDelivery as number],
  ['SSE p50 ms', (r) => (r.metrics as Record<string, number>)['notifications.sse.latency.p50Ms']],
  ['SSE p99 ms', (r) => (r.metrics as Record<string, number>)['notifications.sse.latency.p99Ms']],
  ['Socket.IO p50 ms', (r) => (r.metrics as Record<string, number>)['notifications.socketio.latency.p50Ms']],
  ['Socket.IO p99 ms', (r) => (r.metrics as Record<string, number>)['notifications.socketio.latency.p99Ms']],
];
const apiFigures: [string, Pick][] = [
  ['cached GET ÷ bare node:http', (r) => (r.ratios as Record<string, number>).apiCachedVsBare],
  ['outbox relay ÷ bare amqplib', (r) => (r.publish as Record<string, number>).relayVsBare],
];

function report(prefix: string, figures: [string, Pick][]): void {
  for (const [name, pick] of figures) {
    const pairs: [number, number][] = [];
    for (let round = 1; round <= rounds; round++) {
      const b = read(`${prefix}-baseline-${round}.json`);
      const c = read(`${prefix}-current-${round}.json`);
      const bv = b && pick(b);
      const cv = c && pick(c);
      if (bv !== undefined && cv !== undefined) pairs.push([bv, cv]);
    }
    if (pairs.length === 0) continue;
    const ratios = pairs.map(([b, c]) => c / b);
    summary.push({
      figure: name,
      rounds: pairs.length,
      baseline: pairs.map((p) => p[0]),
      current: pairs.map((p) => p[1]),
      pairedRatioMedian: median(ratios),
      pairedRatioRange: [Math.min(...ratios), Math.max(...ratios)],
    });
    const fmt = (n: number) => n.toFixed(2);
    console.log(
      `${name.padEnd(30)} baseline median ${fmt(median(pairs.map((p) => p[0])))} (${fmt(Math.min(...pairs.map((p) => p[0])))}–${fmt(Math.max(...pairs.map((p) => p[0])))}), ` +
        `current ${fmt(median(pairs.map((p) => p[1])))}; paired ratio median ${fmt(median(ratios))} (${fmt(Math.min(...ratios))}–${fmt(Math.max(...ratios))}, ${pairs.length} rounds)`,
    );
  }
}
report('listeners', listenerFigures);
report('api', apiFigures);
writeFileSync(
  out,
  `${JSON.stringify({ at: new Date().toISOString(), rounds, figures: summary }, null, 2)}\n`,
);
console.log(`written to ${out}`);
