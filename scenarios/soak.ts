import {
  seedStudents,
  setPhaseMetrics,
  startOutageLoad,
  startReads,
  writeMetrics,
  type OutageLoad,
  type ReadLoad,
} from './outage-steps.ts';
import { connectListeners, deliveryGates, proxyCutFault, servicesReady } from './common-steps.ts';
import {
  defineScenario,
  memoryGrowth,
  serviceNames,
  startMemoryPoller,
  waitForDelivery,
  type Gate,
  type MemoryPoller,
  type RunOptions,
  type ScenarioContext,
} from '../lab/index.ts';

interface RunState extends OutageLoad, ReadLoad {
  memory?: MemoryPoller;
  /** Aborted when the soak phase ends: the drain measures without load. */
  stopReads: AbortController;
}

const soakMs = (o: RunOptions): number => o.durationMs;
const secondsOf = (o: RunOptions, name: string): number => Number(o[name]) * 1000;

function startLoad(ctx: ScenarioContext, state: RunState): void {
  state.memory = startMemoryPoller(ctx, serviceNames, 5_000);
  startOutageLoad(ctx, state, soakMs(ctx.options));
  startReads(ctx, state, Number(ctx.options.readRate), state.stopReads.signal);
}

/** Waits for the load and every listener, then measures delivery and each service's memory growth. */
async function drain(ctx: ScenarioContext, state: RunState): Promise<void> {
  state.stopReads.abort();
  await state.writers?.catch((error: Error) => ctx.note(`writers failed: ${error.message}`));
  await state.reads?.catch(() => undefined);
  await state.poller?.stop();
  await state.memory?.stop();
  await waitForDelivery(ctx, '', secondsOf(ctx.options, 'recoveryTimeoutSec'));
  setPhaseMetrics(ctx, 'soak', {
    ...writeMetrics('writes', state.writes),
    ...writeMetrics('reads', state.readRecords),
  });
  const startMs = ctx.phaseStartMs('soak');
  if (startMs === undefined) return;
  const span = {
    fromMs: startMs + secondsOf(ctx.options, 'warmupSec'),
    toMs: startMs + soakMs(ctx.options),
    windowMs: 60_000,
  };
  const samples = state.memory?.samples() ?? [];
  for (const service of serviceNames) {
    const rss = memoryGrowth(samples, service, (s) => s.rssBytes, span);
    const heap = memoryGrowth(samples, service, (s) => s.heapUsedBytes, span);
    if (rss) {
      ctx.metric(`memory.${service}.rss.afterWarmupMb`, rss.startMb);
      ctx.metric(`memory.${service}.rss.endMb`, rss.endMb);
      ctx.metric(`memory.${service}.rss.growthMb`, rss.growthMb);
    }
    if (heap) {
      ctx.metric(`memory.${service}.heap.afterWarmupMb`, heap.startMb);
      ctx.metric(`memory.${service}.heap.endMb`, heap.endMb);
      ctx.metric(`memory.${service}.heap.growthMb`, heap.growthMb);
    }
  }
}

function memoryGates(o: RunOptions): Gate[] {
  return serviceNames.flatMap((service): Gate[] => [
    {
      name: `${service}: RSS grows at most ${Number(o.rssGrowthMb)} MB after warm-up`,
      metric: `memory.${service}.rss.growthMb`,
      op: '<=',
      threshold: Number(o.rssGrowthMb),
    },
    {
      name: `${service}: used heap grows at most ${Number(o.heapGrowthMb)} MB after warm-up`,
      metric: `memory.${service}.heap.growthMb`,
      op: '<=',
      threshold: Number(o.heapGrowthMb),
    },
  ]);
}

/**
 * Ten minutes of steady writes and reads with listeners connected, one broker cut and one Redis
 * cut on the way: every service's memory must stay flat after warm-up, and nothing may be lost
 * or delivered twice.
 */
export const soak = defineScenario<RunState>({
  name: 'soak',
  hypothesis:
    'over 10 minutes of steady load with a broker cut and a Redis cut, every service holds flat memory after warm-up and every notification reaches every listener exactly once',
  defaults: {
    durationMs: 600_000,
    rate: 10,
    listeners: 20,
    sizing:
      '10 writes/s, 20 reads/s and 20 listeners for 10 minutes: enough traffic (6,000 writes, 240,000 deliveries) for a leak of a few hundred bytes per request to show, light enough for 2 cores',
  },
  options: {
    'read-rate': { type: 'number', default: 20, description: 'GETs per second of seeded students' },
    students: { type: 'number', default: 100, description: 'students created to read' },
    'warmup-sec': {
      type: 'number',
      default: 120,
      description: 'memory is compared from this long after the start, seconds',
    },
    'broker-cut-at-sec': {
      type: 'number',
      default: 180,
      description: 'when RabbitMQ is cut, seconds into the soak',
    },
    'redis-cut-at-sec': {
      type: 'number',
      default: 360,
      description: 'when Redis is cut, seconds into the soak',
    },
    'cut-sec': { type: 'number', default: 15, description: 'how long each cut lasts, seconds' },
    'rss-growth-mb': {
      type: 'number',
      default: 40,
      description: 'gate: RSS growth per service after warm-up, MB',
    },
    'heap-growth-mb': {
      type: 'number',
      default: 15,
      description: 'gate: used-heap growth per service after warm-up, MB',
    },
    'recovery-timeout-sec': {
      type: 'number',
      default: 120,
      description: 'longest wait for every listener to catch up, seconds',
    },
  },
  steadyState: servicesReady,
  async setup(ctx): Promise<RunState> {
    const ids = await seedStudents(ctx, Number(ctx.options.students));
    await connectListeners(ctx, 60_000);
    return { ids, writes: [], readRecords: [], stopReads: new AbortController() };
  },
  phases: [
    { name: 'soak', durationMs: soakMs, run: (ctx, state) => Promise.resolve(startLoad(ctx, state)) },
    { name: 'drain', run: drain },
  ],
  faults: [
    proxyCutFault({
      name: 'rabbitmq-cut',
      phase: 'soak',
      atMs: (o) => secondsOf(o, 'brokerCutAtSec'),
      durationMs: (o) => secondsOf(o, 'cutSec'),
      proxy: 'rabbitmq',
    }),
    proxyCutFault({
      name: 'redis-cut',
      phase: 'soak',
      atMs: (o) => secondsOf(o, 'redisCutAtSec'),
      durationMs: (o) => secondsOf(o, 'cutSec'),
      proxy: 'redis',
    }),
  ],
  gates: (o) => [...deliveryGates(), ...memoryGates(o)],
});
