import { readFileSync } from 'node:fs';
import { FieldColorModeId, MappingType, ThresholdsMode } from '@grafana/schema';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { histogramMetricNames, metricNames } from '../../contracts/service-metrics.ts';
import { labHistogramMetricNames, labMetricNames } from '../lab-metric-names.ts';
import {
  allPanels,
  dashboardsDir,
  extractPromQueries,
  loadDashboards,
  substituteVariables,
  type DataSourceRef,
  type LoadedDashboard,
} from './dashboard-queries.ts';
import { metricNamesInExpr } from './promql-metric-names.ts';

const dashboards = loadDashboards();
const provisioned = parse(
  readFileSync(`${dashboardsDir}provisioning/datasources/datasources.yml`, 'utf8'),
) as {
  datasources: { uid: string; type: string; url: string }[];
};

/** The names prom-client's collectDefaultMetrics() really registers (process_*, nodejs_*). */
async function defaultMetricNames(): Promise<string[]> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return (await registry.getMetricsAsJSON()).map((m) => m.name);
}

/** Our histograms (`histogramMetricNames`) expose _bucket, _sum and _count. */
function exportedSeries(names: string[], histograms: string[]): Set<string> {
  return new Set([...names, ...histograms.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`])]);
}

async function allowedSeries(): Promise<Set<string>> {
  const contract = [...Object.values(metricNames), ...Object.values(labMetricNames)] as string[];
  const histograms: string[] = [...histogramMetricNames, ...labHistogramMetricNames];
  const defaults = await defaultMetricNames();
  const defaultHistograms = ['nodejs_gc_duration_seconds'].filter((n) => defaults.includes(n));
  return exportedSeries(
    [...contract.filter((n) => !histograms.includes(n)), ...defaults],
    [...histograms, ...defaultHistograms],
  );
}

function unknownMetrics(list: LoadedDashboard[], allowed: Set<string>): string[] {
  return extractPromQueries(list, { annotations: true }).flatMap((q) =>
    metricNamesInExpr(q.expr)
      .filter((name) => !allowed.has(name))
      .map((name) => `${q.file} ${q.source} ${q.id} "${q.title}" ${q.refId}: ${name}`),
  );
}

function datasourceRefs({ dashboard }: LoadedDashboard): DataSourceRef[] {
  const refs: (DataSourceRef | undefined)[] = [];
  for (const panel of allPanels(dashboard)) {
    refs.push(panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource));
  }
  for (const annotation of dashboard.annotations?.list ?? []) refs.push(annotation.datasource);
  for (const variable of dashboard.templating?.list ?? []) refs.push(variable.datasource);
  return refs.filter((r): r is DataSourceRef => r !== undefined);
}

describe('Grafana dashboards', () => {
  it('finds the overview and one dashboard per service', () => {
    expect(dashboards.map((d) => d.file)).toEqual([
      'api.json',
      'lab-overview.json',
      'notifications.json',
      'worker.json',
    ]);
  });

  it.each(dashboards)('$file has a schema version, a unique uid and unique panel ids', ({ dashboard }) => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.title).toBeTruthy();
    const ids = allPanels(dashboard).map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every dashboard its own uid', () => {
    const uids = dashboards.map((d) => d.dashboard.uid);
    expect(uids.every(Boolean)).toBe(true);
    expect(new Set(uids).size).toBe(uids.length);
  });

  // Importable into any Grafana: every query reaches its data source through a datasource variable
  // (the provisioned one by default, any other of that type once imported), never a fixed uid.
  const variableOf = { prometheus: '${datasource}', loki: '${loki}', tempo: '${tempo}' } as const;

  it.each(dashboards)('$file reaches data sources only through its datasource variables', (loaded) => {
    const refs = datasourceRefs(loaded);
    expect(refs.length).toBeGreaterThan(0);
    const wrong = refs.filter((r) => variableOf[r.type as keyof typeof variableOf] !== r.uid);
    expect(wrong).toEqual([]);
    const variables = (loaded.dashboard.templating?.list ?? []).filter((v) => v.type === 'datasource');
    const known = new Set(provisioned.datasources.map((d) => `${d.type}/${d.uid}`));
    for (const type of new Set(refs.map((r) => r.type))) {
      const variable = variables.find((v) => v.query === type);
      expect(variable, `${loaded.file}: no datasource variable for ${type}`).toBeDefined();
      expect(`$\{${variable?.name}}`).toBe(variableOf[type as keyof typeof variableOf]);
      // defaults to the provisioned data source of the compose stack
      expect(known.has(`${type}/${variable?.current?.value}`)).toBe(true);
    }
  });

  it.each(dashboards)('$file declares an import input for each data source it uses', ({ dashboard }) => {
    const types = new Set(datasourceRefs({ file: '', dashboard }).map((r) => r.type));
    expect(new Set((dashboard.__inputs ?? []).map((i) => i.pluginId))).toEqual(types);
    expect((dashboard.__inputs ?? []).every((i) => i.type === 'datasource' && i.name.startsWith('DS_'))).toBe(
      true,
    );
  });

  it('uses only values Grafana’s schema enumerates for colour modes, threshold modes and mappings', () => {
    // dashboards-schema.check.ts checks the shape against @grafana/schema at typecheck; these
    // string enums are widened there, so their values are checked here, against the same package.
    const colourModes = new Set<string>(Object.values(FieldColorModeId));
    const thresholdModes = new Set<string>(Object.values(ThresholdsMode));
    const mappingTypes = new Set<string>(Object.values(MappingType));
    const wrong: string[] = [];
    for (const { file, dashboard } of dashboards) {
      for (const panel of allPanels(dashboard)) {
        const defaults = (panel as { fieldConfig?: { defaults?: Record<string, unknown> } }).fieldConfig
          ?.defaults;
        const colour = (defaults?.color as { mode?: string } | undefined)?.mode;
        const thresholds = (defaults?.thresholds as { mode?: string } | undefined)?.mode;
        const mappings = (defaults?.mappings as { type?: string }[] | undefined) ?? [];
        if (colour !== undefined && !colourModes.has(colour))
          wrong.push(`${file} "${panel.title}": color.mode ${colour}`);
        if (thresholds !== undefined && !thresholdModes.has(thresholds))
          wrong.push(`${file} "${panel.title}": thresholds.mode ${thresholds}`);
        for (const m of mappings)
          if (!mappingTypes.has(m.type ?? '')) wrong.push(`${file} "${panel.title}": mapping type ${m.type}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('turns dead letters and open breakers red', () => {
    const panels = dashboards.flatMap(({ file, dashboard }) =>
      allPanels(dashboard).map((p) => ({ file, panel: p })),
    );
    const reads = (p: (typeof panels)[number]['panel'], text: string) =>
      (p.targets ?? []).some((t) => (t.expr ?? '').includes(text));
    const redFrom = (p: (typeof panels)[number]['panel']) =>
      p.fieldConfig?.defaults?.thresholds?.steps?.find((s) => s.color === 'red')?.value;
    const deadLetters = panels.filter(({ panel }) => panel.type === 'stat' && reads(panel, 'dead_lettered'));
    const breakers = panels.filter(
      ({ panel }) => reads(panel, metricNames.breakerState) && panel.type !== 'timeseries',
    );
    expect(deadLetters.length).toBeGreaterThanOrEqual(3);
    expect(breakers.length).toBeGreaterThanOrEqual(3);
    for (const { file, panel } of [...deadLetters, ...breakers])
      expect(redFrom(panel), `${file} "${panel.title}"`).toBe(1);
  });

  it('provisions Prometheus, Loki and Tempo under their own uids at their compose addresses', () => {
    expect(provisioned.datasources.map((d) => [d.type, d.uid, d.url])).toEqual([
      ['prometheus', 'prometheus', 'http://prometheus:9090'],
      ['loki', 'loki', 'http://loki:3100'],
      ['tempo', 'tempo', 'http://tempo:3200'],
    ]);
  });

  it('reads only metrics the code exports (the service and lab metric names, and prom-client defaults)', async () => {
    expect(unknownMetrics(dashboards, await allowedSeries())).toEqual([]);
  });

  it('shows every contract metric on some dashboard', () => {
    const used = new Set(extractPromQueries(dashboards).flatMap((q) => metricNamesInExpr(q.expr)));
    const unused = ([...Object.values(metricNames), ...Object.values(labMetricNames)] as string[]).filter(
      (name) => ![name, `${name}_bucket`, `${name}_count`].some((series) => used.has(series)),
    );
    expect(unused).toEqual([]);
  });

  it('flags a panel reading a metric nobody exports', async () => {
    const bogus: LoadedDashboard = {
      file: 'bogus.json',
      dashboard: {
        panels: [
          {
            id: 1,
            title: 'typo',
            datasource: { type: 'prometheus', uid: 'prometheus' },
            targets: [{ refId: 'A', expr: 'sum(rate(dedupe_request_total[5m]))' }],
          },
        ],
      },
    };
    expect(unknownMetrics([bogus], await allowedSeries())).toEqual([
      'bogus.json panel 1 "typo" A: dedupe_request_total',
    ]);
  });

  it('annotates lab phases and faults from Prometheus, breaker transitions and fault injections from Loki', () => {
    const overview = dashboards.find((d) => d.file === 'lab-overview.json')?.dashboard;
    const annotations = (overview?.annotations?.list ?? []).map((a) => ({
      uid: a.datasource?.uid,
      expr: a.expr ?? '',
    }));
    const has = (uid: string, ...patterns: RegExp[]) =>
      annotations.some((a) => a.uid === uid && patterns.every((p) => p.test(a.expr)));
    expect(has('${datasource}', new RegExp(labMetricNames.phase))).toBe(true);
    expect(has('${datasource}', new RegExp(labMetricNames.faultActive))).toBe(true);
    expect(has('${loki}', /breaker/, /\| json/)).toBe(true);
    expect(has('${loki}', /service="lab"/, /fault/)).toBe(true);
  });
});

describe('Loki queries', () => {
  // Alloy (deploy/alloy/config.alloy) sets these stream labels, the ones the dashboards may select by
  // (it also sets compose_project and stream on container logs and filename on the lab's, which no
  // dashboard uses); everything else is in the JSON body.
  const shippedLabels = new Set(['service', 'level']);
  const services = new Set(['api', 'worker', 'notifications', 'lab']);
  const lokiQueries = dashboards.flatMap(({ file, dashboard }) => [
    ...allPanels(dashboard).flatMap((p) =>
      (p.targets ?? [])
        .filter((t) => (t.datasource ?? p.datasource)?.type === 'loki')
        .map((t) => [file, t.expr ?? '']),
    ),
    ...(dashboard.annotations?.list ?? [])
      .filter((a) => a.datasource?.type === 'loki')
      .map((a) => [file, a.expr ?? '']),
  ]);

  it('select streams only by the labels Alloy ships, naming services that log', () => {
    expect(lokiQueries.length).toBeGreaterThanOrEqual(4);
    for (const [file, expr] of lokiQueries) {
      const selector = /^\{([^}]*)\}/.exec(expr ?? '')?.[1];
      expect(selector, `${file}: ${expr}`).toBeDefined();
      for (const [, label, , value] of (selector ?? '').matchAll(/(\w+)\s*(=~|!=|!~|=)\s*"([^"]*)"/g)) {
        expect(shippedLabels.has(label ?? ''), `${file}: label ${label} in ${expr}`).toBe(true);
        if (label === 'service') {
          expect(
            (value ?? '').split('|').every((s) => services.has(s)),
            `${file}: ${expr}`,
          ).toBe(true);
        }
      }
    }
  });
});

describe('dashboard query extraction', () => {
  it('replaces Grafana variables with concrete values', () => {
    expect(substituteVariables('rate(x{scenario=~"$scenario"}[$__rate_interval]) + y[${__range}]')).toBe(
      'rate(x{scenario=~".*"}[30s]) + y[5m]',
    );
    expect(extractPromQueries(dashboards).every((q) => !q.expr.includes('$'))).toBe(true);
  });

  it('extracts a query from every Prometheus target of every panel', () => {
    const queries = extractPromQueries(dashboards);
    const targets = dashboards.flatMap(({ dashboard }) =>
      allPanels(dashboard).flatMap((p) => (p.datasource?.type === 'prometheus' ? (p.targets ?? []) : [])),
    );
    expect(queries.length).toBe(targets.length);
    expect(queries.length).toBeGreaterThan(50);
  });
});

describe('metricNamesInExpr', () => {
  it('finds metric names and ignores functions, labels, strings, durations and keywords', () => {
    expect(
      metricNamesInExpr(
        'histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{service="api", route=~"a|b"}[30s])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(
      metricNamesInExpr(
        'sum(rate(a_total{x="y"}[1m] offset 5m)) / on(job) group_left(instance) b_total > bool 1e3 or vector(0)',
      ),
    ).toEqual(['a_total', 'b_total']);
    expect(metricNamesInExpr('up == 1 and ignoring(le) nodejs_heap_size_used_bytes')).toEqual([
      'nodejs_heap_size_used_bytes',
      'up',
    ]);
  });
});
