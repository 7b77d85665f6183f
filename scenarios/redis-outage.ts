import {
  seedStudents,
  setPhaseMetrics,
  startOutageLoad,
  startReads,
  writeMetrics,
  type OutageLoad,
  type ReadLoad,
  type WriteRecord,
} from './outage-steps.ts';
import { proxyCutFault, connectListeners, deliveryGates, servicesReady } from './common-steps.ts';
import {
  resultMetrics,
  defineScenario,
  breakersAroundFault,
  waitForDelivery,
  type RunOptions,
  type ScenarioContext,
} from '../lab/index.ts';

/**
 * Both services' Redis breakers. The worker's sees every write at once; the API's only sees reads
 * that miss its L1 (30 s TTL), so during a short cut it may not open before L1 entries expire.
 */
const redisBreakers = ['api.redis', 'worker.redis'] as const;

interface RunState extends OutageLoad, ReadLoad {
  stopReads: AbortController;
}

const cutMs = (o: RunOptions): number => Number(o.cutSec) * 1000;
const afterMs = (o: RunOptions): number => Number(o.afterSec) * 1000;

function startLoad(ctx: ScenarioContext, state: RunState): void {
  startOutageLoad(ctx, state, ctx.options.durationMs + cutMs(ctx.options) + afterMs(ctx.options));
  startReads(ctx, state, Number(ctx.options.readRate), state.stopReads.signal);
}

async function recover(ctx: ScenarioContext, state: RunState): Promise<void> {
  await state.writers?.catch((error: Error) => ctx.note(`writers failed: ${error.message}`));
  state.stopReads.abort();
  await state.reads?.catch((error: Error) => ctx.note(`reads failed: ${error.message}`));
  await waitForDelivery(ctx, '', Number(ctx.options.recoveryTimeoutSec) * 1000);
  await state.poller?.stop();
  const { appliedMs, rolledBackMs } = ctx.faultTimes('redis-cut');
  if (appliedMs === undefined) return;
  const end = rolledBackMs ?? Infinity;
  const during = (records: WriteRecord[]): WriteRecord[] =>
    records.filter((r) => r.intendedAtMs >= appliedMs && r.intendedAtMs < end);
  const fault = { appliedMs, rolledBackMs };
  const samples = ctx.breakerTimeline();
  const each = redisBreakers.map((breaker) => ({
    breaker,
    ...breakersAroundFault(samples, fault, [breaker]),
  }));
  setPhaseMetrics(ctx, 'cut', {
    ...writeMetrics('reads', during(state.readRecords)),
    ...writeMetrics('writes', during(state.writes)),
    ...Object.fromEntries(each.map((t) => [`breaker.${t.breaker}.timeToOpenMs`, t.timeToOpenMs])),
  });
  for (const t of each)
    if (t.timeToCloseMs !== undefined) ctx.metric(`breaker.${t.breaker}.timeToCloseMs`, t.timeToCloseMs);
  // The system's view: the first Redis breaker to open, and every one that opened closed again.
  const both = breakersAroundFault(samples, fault, redisBreakers);
  if (both.timeToOpenMs !== undefined) ctx.metric(resultMetrics.breakerTimeToOpenMs, both.timeToOpenMs);
  if (both.timeToCloseMs !== undefined) ctx.metric(resultMetrics.breakerTimeToCloseMs, both.timeToCloseMs);
  ctx.metric('reads.successRate', writeMetrics('r', state.readRecords)['r.successRate'] ?? 0);
}

/** Redis cut while reads and writes run: reads fall through to the database, nothing is lost. */
export const redisOutage = defineScenario<RunState>({
  name: 'redis-outage',
  hypothesis:
    'with Redis cut, every read is still answered from the database, every write is accepted and every notification reaches every listener',
  defaults: {
    durationMs: 10_000,
    rate: 10,
    listeners: 10,
    sizing:
      '100 reads/s over 200 students and 10 writes/s with 10 listeners, 10 s steady, a 20 s cut, 10 s after: light enough that the database alone serves the reads on 2 cores; --read-rate and --rate scale it',
  },
  options: {
    'cut-sec': {
      type: 'number',
      default: 20,
      description: 'how long Redis is cut (proxy disabled), seconds',
    },
    'after-sec': {
      type: 'number',
      default: 10,
      description: 'load keeps running this long after recovery, seconds',
    },
    'read-rate': { type: 'number', default: 100, description: 'GETs per second of existing students' },
    students: { type: 'number', default: 200, description: 'students created to read' },
    'p99-ms': { type: 'number', default: 1000, description: 'gate: read p99 during the cut, ms' },
    'recovery-timeout-sec': {
      type: 'number',
      default: 60,
      description: 'longest wait for every listener to catch up, seconds',
    },
  },
  steadyState: servicesReady,
  async setup(ctx): Promise<RunState> {
    const ids = await seedStudents(ctx, Number(ctx.options.students));
    await connectListeners(ctx, 60_000);
    return { ids, stopReads: new AbortController(), writes: [], readRecords: [] };
  },
  phases: [
    {
      name: 'steady',
      durationMs: (o) => o.durationMs,
      run: (ctx, state) => Promise.resolve(startLoad(ctx, state)),
    },
    { name: 'cut', durationMs: cutMs },
    { name: 'recovery', durationMs: afterMs, run: recover },
  ],
  faults: [proxyCutFault({ name: 'redis-cut', phase: 'cut', durationMs: cutMs, proxy: 'redis' })],
  gates: (o) => [
    {
      name: 'every read during the cut answered 200',
      phase: 'cut',
      metric: 'reads.successRate',
      op: '==',
      threshold: 1,
    },
    { name: 'reads were made during the cut', phase: 'cut', metric: 'reads.count', op: '>', threshold: 0 },
    {
      name: `read p99 during the cut <= ${Number(o.p99Ms)} ms`,
      phase: 'cut',
      metric: 'reads.p99Ms',
      op: '<=',
      threshold: Number(o.p99Ms),
    },
    {
      name: 'every write during the cut accepted',
      phase: 'cut',
      metric: 'writes.successRate',
      op: '==',
      threshold: 1,
    },
    ...deliveryGates(),
  ],
});
