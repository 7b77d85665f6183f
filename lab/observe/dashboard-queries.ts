import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the Grafana dashboards live, relative to the repository root. */
export const dashboardsDir = new URL('../../dashboards/', import.meta.url).pathname;

export interface DataSourceRef {
  type?: string;
  uid?: string;
}

export interface DashboardTarget {
  refId?: string;
  expr?: string;
  datasource?: DataSourceRef;
}

export interface DashboardPanel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: DataSourceRef;
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
  fieldConfig?: {
    defaults?: { thresholds?: { steps?: { color?: string; value?: number | null }[] } };
  };
}

export interface DashboardAnnotation {
  name?: string;
  datasource?: DataSourceRef;
  expr?: string;
  target?: DashboardTarget;
}

export interface Dashboard {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: DashboardPanel[];
  annotations?: { list?: DashboardAnnotation[] };
  templating?: {
    list?: {
      name?: string;
      type?: string;
      datasource?: DataSourceRef;
      query?: unknown;
      current?: { value?: string };
    }[];
  };
  /** What Grafana's import asks for: one data source input per plugin the dashboard uses. */
  __inputs?: { name: string; type: string; pluginId: string }[];
}

export interface LoadedDashboard {
  file: string;
  dashboard: Dashboard;
}

/** One PromQL query of a dashboard, with Grafana's variables replaced by concrete values. */
export interface PanelQuery {
  file: string;
  source: 'panel' | 'annotation';
  /** Panel id (panels) or annotation name. */
  id: string;
  title: string;
  refId: string;
  /** The expression as written in the dashboard. */
  rawExpr: string;
  /** The expression Prometheus can evaluate. */
  expr: string;
}

/** Values for Grafana's built-in and dashboard variables; every one can be overridden. */
export interface QueryVariables {
  [name: string]: string;
}

export const defaultVariables: QueryVariables = {
  __rate_interval: '30s',
  __interval: '15s',
  __range: '5m',
  scenario: '.*',
};

/** Every `*.json` dashboard in `dir` (not recursive: provisioning lives in a subfolder). */
export function loadDashboards(dir = dashboardsDir): LoadedDashboard[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard }));
}

/** Panels including those nested in collapsed rows. */
export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  const out: DashboardPanel[] = [];
  const visit = (panels: DashboardPanel[] | undefined) => {
    for (const panel of panels ?? []) {
      out.push(panel);
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

/** Replaces `$name`, `${name}` and `[[name]]` with the given values (longest names first). */
export function substituteVariables(expr: string, variables: QueryVariables = defaultVariables): string {
  return expr.replace(
    /\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g,
    (match, braced?: string, bare?: string, old?: string) => {
      const name = braced ?? bare ?? old ?? '';
      return variables[name] ?? match;
    },
  );
}

function isPrometheus(ref: DataSourceRef | undefined, fallback: DataSourceRef | undefined): boolean {
  return (ref ?? fallback)?.type === 'prometheus';
}

/** Every Prometheus query of every panel (and, with `annotations`, of every annotation). */
export function extractPromQueries(
  dashboards: LoadedDashboard[],
  {
    variables = defaultVariables,
    annotations = false,
  }: { variables?: QueryVariables; annotations?: boolean } = {},
): PanelQuery[] {
  const queries: PanelQuery[] = [];
  const vars = { ...defaultVariables, ...variables };
  for (const { file, dashboard } of dashboards) {
    for (const panel of allPanels(dashboard)) {
      for (const target of panel.targets ?? []) {
        if (!target.expr || !isPrometheus(target.datasource, panel.datasource)) continue;
        queries.push({
          file,
          source: 'panel',
          id: String(panel.id),
          title: panel.title ?? '',
          refId: target.refId ?? '',
          rawExpr: target.expr,
          expr: substituteVariables(target.expr, vars),
        });
      }
    }
    if (!annotations) continue;
    for (const annotation of dashboard.annotations?.list ?? []) {
      const expr = annotation.expr ?? annotation.target?.expr;
      if (!expr || annotation.datasource?.type !== 'prometheus') continue;
      const name = annotation.name ?? '';
      queries.push({
        file,
        source: 'annotation',
        id: name,
        title: name,
        refId: 'Anno',
        rawExpr: expr,
        expr: substituteVariables(expr, vars),
      });
    }
  }
  return queries;
}
