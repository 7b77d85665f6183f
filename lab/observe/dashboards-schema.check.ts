// Type-checked by `npm run typecheck`: every dashboard's JSON must fit Grafana's own published
// dashboard schema types (@grafana/schema). JSON imports type their strings as `string`, so the
// schema's string enums are widened to `string` here (their values are checked at run time by
// dashboards.test.ts); field names, nesting, required fields and value kinds are checked here.
// (Unknown extra fields are not: TypeScript checks those only on object literals.)
import type { Dashboard } from '@grafana/schema';
import api from '../../dashboards/api.json' with { type: 'json' };
import labOverview from '../../dashboards/lab-overview.json' with { type: 'json' };
import notifications from '../../dashboards/notifications.json' with { type: 'json' };
import worker from '../../dashboards/worker.json' with { type: 'json' };

/** The schema with every string enum (or union of string literals) widened to `string`. */
type Widened<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends readonly (infer U)[]
        ? Widened<U>[]
        : T extends object
          ? { [K in keyof T]: Widened<T[K]> }
          : T;

export const checkedDashboards: Widened<Dashboard>[] = [api, labOverview, notifications, worker];
