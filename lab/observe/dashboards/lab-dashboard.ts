import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as prom from '@grafana/grafana-foundation-sdk/prometheus';
import { labMetricNames } from '../../lab-metric-names.ts';
import * as datasources from './datasources.ts';
import type { DatasourceKind } from './datasources.ts';
import type { Row } from './panels.ts';

// The classic dashboard model (schema v1), which the SDK marks deprecated in favour of v2: the
// compose stack's Grafana 11 reads only v1.

/** A dashboard as code: what the generator turns into one JSON file. */
export interface LabDashboard {
  /** The data sources it reads, in the order of its variables and import inputs. */
  datasources: readonly DatasourceKind[];
  build(): dashboard.Dashboard;
}

export interface LabDashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** Variables after the data source ones. */
  variables?: cog.Builder<dashboard.VariableModel>[];
  annotations: cog.Builder<dashboard.AnnotationQuery>[];
  rows: Row[];
}

/**
 * The SDK gives links and annotations `placement: "inControlsMenu"`, which newer Grafana versions
 * honour by moving them from the top bar into the controls menu; without it they stay in sight, as
 * in Grafana 11. The builders cannot unset a default, so it is dropped from what they build.
 */
function inTopBar<T extends { placement?: unknown }>(builder: cog.Builder<T>): cog.Builder<T> {
  return {
    build: () => {
      const { placement: _placement, ...rest } = builder.build();
      return rest as T;
    },
  };
}

/**
 * Picks the data source of one kind; defaults to the one the compose stack provisions (its uid is
 * the kind's name).
 */
function datasourceVariable(kind: DatasourceKind): cog.Builder<dashboard.VariableModel> {
  const { variable, label } = datasources.datasourceFacts[kind];
  const builder = new dashboard.DatasourceVariableBuilder(variable)
    .label(label)
    .type(kind)
    .current({ selected: false, text: label, value: kind })
    .hide(dashboard.VariableHide.DontHide)
    .includeAll(false)
    .multi(false)
    .regex('');
  // As Grafana saves a data source variable; the builder has no setters for these two.
  return {
    build: () => ({ ...builder.build(), options: [], refresh: dashboard.VariableRefresh.OnDashboardLoad }),
  };
}

/** The scenarios that have run in the range, or all of them: `scenario=~"$scenario"` in queries. */
export function scenarioVariable(): dashboard.QueryVariableBuilder {
  const query = `label_values(${labMetricNames.phase}, scenario)`;
  return new dashboard.QueryVariableBuilder('scenario')
    .label('Scenario')
    .datasource(datasources.prometheus)
    .query({ query, refId: 'PrometheusVariableQueryEditor-VariableQuery' })
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .includeAll(true)
    .allValue('.*')
    .multi(false)
    .current({ selected: true, text: 'All', value: '$__all' })
    .options([])
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .hide(dashboard.VariableHide.DontHide);
}

/** Every dashboard tagged `event-lab`, one click away from every other. */
function eventLabLink(): cog.Builder<dashboard.DashboardLink> {
  return inTopBar(
    new dashboard.DashboardLinkBuilder('Event lab')
      .type(dashboard.DashboardLinkType.Dashboards)
      .tags(['event-lab'])
      .asDropdown(true)
      .includeVars(false)
      .keepTime(true)
      .icon('external link')
      .targetBlank(false)
      .tooltip('')
      .url(''),
  );
}

interface PromAnnotationOptions {
  name: string;
  iconColor: string;
  expr: string;
  titleFormat: string;
  textFormat: string;
  tagKeys: string;
}

/** A band from each series of a 0/1 gauge while it is 1 (`expr` keeps only those samples). */
function promAnnotation(options: PromAnnotationOptions): cog.Builder<dashboard.AnnotationQuery> {
  return inTopBar(
    new dashboard.AnnotationQueryBuilder()
      .name(options.name)
      .enable(true)
      .iconColor(options.iconColor)
      .datasource(datasources.prometheus)
      .target(new prom.DataqueryBuilder().refId('Anno').expr(options.expr))
      .expr(options.expr)
      .step('5s')
      .titleFormat(options.titleFormat)
      .textFormat(options.textFormat)
      .tagKeys(options.tagKeys)
      .useValueForTime(false),
  );
}

type LokiAnnotationOptions = Omit<PromAnnotationOptions, 'expr'> & { logql: string };

/** A mark at each log line the LogQL query selects. */
function lokiAnnotation(options: LokiAnnotationOptions): cog.Builder<dashboard.AnnotationQuery> {
  return inTopBar(
    new dashboard.AnnotationQueryBuilder()
      .name(options.name)
      .enable(true)
      .iconColor(options.iconColor)
      .datasource(datasources.loki)
      .target(new loki.DataqueryBuilder().refId('Anno').expr(options.logql))
      .expr(options.logql)
      .titleFormat(options.titleFormat)
      .textFormat(options.textFormat)
      .tagKeys(options.tagKeys),
  );
}

/** `{scenario=~"$scenario"}` on a dashboard with the scenario variable, nothing elsewhere. */
export type ScenarioSelector = '' | '{scenario=~"$scenario"}';

/** The scenario's phases, as the lab exports them while it runs. */
export function labPhases(selector: ScenarioSelector = ''): cog.Builder<dashboard.AnnotationQuery> {
  return promAnnotation({
    name: 'Lab phases',
    iconColor: 'blue',
    expr: `${labMetricNames.phase}${selector} == 1`,
    titleFormat: 'phase {{phase}}',
    textFormat: '{{scenario}}',
    tagKeys: 'scenario,phase',
  });
}

/** The faults the lab injects, as it exports them while they are active. */
export function labFaults(
  selector: ScenarioSelector = '',
  name = 'Faults',
): cog.Builder<dashboard.AnnotationQuery> {
  return promAnnotation({
    name,
    iconColor: 'red',
    expr: `${labMetricNames.faultActive}${selector} == 1`,
    titleFormat: 'fault {{fault}}',
    textFormat: '{{scenario}}',
    tagKeys: 'scenario,fault',
  });
}

/** Each breaker transition the services log (their `breaker_transition` events). */
export function breakerTransitionLogs(
  services: 'api' | 'worker' | 'all services',
): cog.Builder<dashboard.AnnotationQuery> {
  const all = services === 'all services';
  const selector = all ? 'service=~"api|worker|notifications"' : `service="${services}"`;
  return lokiAnnotation({
    name: 'Breaker transitions (logs)',
    iconColor: 'orange',
    logql: `{${selector}} | json | event="breaker_transition"`,
    titleFormat: `${all ? '{{service}} ' : ''}breaker {{breaker}}: {{from}} → {{to}}`,
    textFormat: '{{reason}}',
    tagKeys: `${all ? 'service,' : ''}breaker,to`,
  });
}

/** Each fault the lab injects or removes, from its own log. */
export function faultInjectionLogs(): cog.Builder<dashboard.AnnotationQuery> {
  return lokiAnnotation({
    name: 'Fault injections (logs)',
    iconColor: 'purple',
    logql: '{service="lab"} | json | kind="fault"',
    titleFormat: 'fault {{name}} {{event}}',
    textFormat: '{{detail}}',
    tagKeys: 'kind,name,event',
  });
}

/** The data sources the panels and annotations read, in the order of `datasourceFacts`. */
function datasourcesRead(spec: LabDashboardSpec): DatasourceKind[] {
  const read = new Set<string | undefined>([
    ...spec.annotations.map((annotation) => annotation.build().datasource?.type),
    ...spec.rows.flatMap(({ panels }) => panels.map((panel) => panel.build().datasource?.type)),
  ]);
  return (Object.keys(datasources.datasourceFacts) as DatasourceKind[]).filter((kind) => read.has(kind));
}

/**
 * One of the lab's dashboards: live (5 s refresh, last 30 min), shared crosshair, a variable per data
 * source, linked to the others; rows laid out top to bottom, panels left to right, numbered in
 * reading order.
 */
export function labDashboard(spec: LabDashboardSpec): LabDashboard {
  const read = datasourcesRead(spec);
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(spec.tags)
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .version(1)
    .time({ from: 'now-30m', to: 'now' })
    .refresh('5s')
    .timezone('browser')
    .timepicker(new dashboard.TimePickerBuilder().refreshIntervals(['5s', '10s', '30s', '1m', '5m']))
    .fiscalYearStartMonth(0)
    .liveNow(false)
    .weekStart('')
    .links([eventLabLink()])
    .annotations(spec.annotations)
    .variables([...read.map(datasourceVariable), ...(spec.variables ?? [])]);
  let id = 0;
  for (const { title, panels } of spec.rows) {
    builder.withRow(new dashboard.RowBuilder(title).id(++id));
    // Top-level panels after an expanded row, as Grafana saves them (the SDK's row.withPanel()
    // would nest them in the row, which is how Grafana saves a collapsed one).
    for (const panel of panels) {
      panel.id(++id);
      builder.withPanel(panel);
    }
  }
  return { datasources: read, build: () => builder.build() };
}
