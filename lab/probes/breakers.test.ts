import { describe, expect, it } from 'vitest';
import type { PromSample } from '../metrics/prometheus-text.ts';
import { breakerSamplesOf, breakersAroundFault, openIntervals, type BreakerSample } from './breakers.ts';

const at = (atMs: number, breaker: string, state: BreakerSample['state']): BreakerSample => ({
  atMs,
  breaker,
  state,
});

describe('breaker probes', () => {
  it('decodes every breaker of a scrape with the contract encoding', () => {
    const samples: PromSample[] = [
      { name: 'circuit_breaker_state', labels: { breaker: 'amqp' }, value: 1 },
      { name: 'circuit_breaker_state', labels: { breaker: 'redis' }, value: 2 },
      { name: 'circuit_breaker_state', labels: { breaker: 'db' }, value: 7 },
      { name: 'other', labels: {}, value: 1 },
    ];
    expect(breakerSamplesOf('api', samples, 5)).toEqual([
      at(5, 'api.amqp', 'open'),
      at(5, 'api.redis', 'half-open'),
    ]);
  });

  it('times the opening from the fault and the closing from the rollback', () => {
    const samples = [
      at(900, 'api.amqp', 'open'), // before the fault: not this fault's doing
      at(1000, 'api.amqp', 'closed'),
      at(1250, 'api.amqp', 'closed'),
      at(1500, 'api.amqp', 'open'),
      at(4000, 'api.amqp', 'open'),
      at(5000, 'api.amqp', 'half-open'),
      at(5250, 'api.amqp', 'closed'),
    ];
    expect(breakersAroundFault(samples, { appliedMs: 1000, rolledBackMs: 4500 })).toEqual({
      firstOpened: 'api.amqp',
      openedMs: 1500,
      timeToOpenMs: 500,
      closedMs: 5250,
      timeToCloseMs: 750,
    });
  });

  it('takes the first breaker to open and waits for every opened breaker to close', () => {
    const samples = [
      at(1200, 'worker.redis', 'open'),
      at(1400, 'api.redis', 'open'),
      at(3100, 'worker.redis', 'closed'),
      at(3600, 'api.redis', 'closed'),
    ];
    const around = breakersAroundFault(samples, { appliedMs: 1000, rolledBackMs: 3000 });
    expect(around).toMatchObject({ firstOpened: 'worker.redis', timeToOpenMs: 200, timeToCloseMs: 600 });
    expect(
      breakersAroundFault(samples, { appliedMs: 1000, rolledBackMs: 3000 }, ['api.redis']),
    ).toMatchObject({
      timeToOpenMs: 400,
      timeToCloseMs: 600,
    });
  });

  it('reports no closing while an opened breaker never closed, and nothing when none opened', () => {
    const samples = [at(1200, 'api.amqp', 'open'), at(3200, 'api.amqp', 'open')];
    expect(breakersAroundFault(samples, { appliedMs: 1000, rolledBackMs: 3000 })).not.toHaveProperty(
      'timeToCloseMs',
    );
    expect(breakersAroundFault([at(1200, 'api.amqp', 'closed')], { appliedMs: 1000 })).toEqual({});
  });

  it('lists the intervals a breaker was sampled open', () => {
    const samples = [
      at(1000, 'api.amqp', 'closed'),
      at(1400, 'api.amqp', 'open'),
      at(1400, 'api.redis', 'closed'),
      at(3000, 'api.amqp', 'open'),
      at(3200, 'api.amqp', 'closed'),
      at(4000, 'api.amqp', 'open'),
    ];
    expect(openIntervals(samples, 'api.amqp')).toEqual([
      [1400, 3000],
      [4000, 4000],
    ]);
  });
});
