import { smoke } from './smoke.ts';
import { burstDuplicateGets } from './burst-duplicate-gets.ts';
import { rabbitmqOutage } from './rabbitmq-outage.ts';
import { listenerStorm } from './listener-storm.ts';
import { redisOutage } from './redis-outage.ts';
import { slowBroker } from './slow-broker.ts';
import { soak } from './soak.ts';
import { type Scenario } from '../lab/index.ts';

/** Every scenario `npm run scenario` knows, in the order `list` shows them. Add new ones here. */
export const scenarios: readonly Scenario[] = [
  smoke,
  burstDuplicateGets,
  rabbitmqOutage,
  listenerStorm,
  redisOutage,
  slowBroker,
  soak,
];

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name);
}
