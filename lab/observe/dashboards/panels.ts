import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as prom from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as tempo from '@grafana/grafana-foundation-sdk/tempo';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as datasources from './datasources.ts';

/** Any panel builder: the dashboard numbers its panels in reading order. */
export type PanelBuilder = cog.Builder<dashboard.Panel> & { id(id: number): unknown };

export interface Row {
  title: string;
  panels: PanelBuilder[];
}

export function row(title: string, ...panels: PanelBuilder[]): Row {
  return { title, panels };
}

/** Panel widths on Grafana's 24-column grid; the dashboard lays panels out left to right. */
export const width = { full: 24, half: 12, third: 8 } as const;

export interface PromQuery {
  expr: string;
  legend: string;
  /** Draws the samples' exemplars (a trace id each) as dots that open the trace. */
  exemplar?: boolean;
}

/** The quantiles latency panels draw, by legend name. */
export const percentiles = { p50: '0.5', p95: '0.95', p99: '0.99' } as const;

interface PanelText {
  title: string;
  /** Empty when the title says it all. */
  description?: string;
  width: number;
}

/** What every panel builder can be told about its frame (each method returns the builder). */
interface Framed<B> {
  title(title: string): B;
  description(description: string): B;
  datasource(datasource: dashboard.DataSourceRef): B;
  span(width: number): B;
  height(height: number): B;
}

/** The panel's title, description, data source and size: the part every panel shares. */
function framed<B extends Framed<B>>(
  panel: B,
  text: PanelText,
  datasource: dashboard.DataSourceRef,
  height: number,
): B {
  return panel
    .title(text.title)
    .description(text.description ?? '')
    .datasource(datasource)
    .span(text.width)
    .height(height);
}

function promTargets(queries: PromQuery[]): prom.DataqueryBuilder[] {
  return queries.map(({ expr, legend, exemplar }, index) => {
    const target = new prom.DataqueryBuilder()
      .datasource(datasources.prometheus)
      .expr(expr)
      .legendFormat(legend)
      .range()
      .refId(String.fromCharCode(65 + index));
    return exemplar === undefined ? target : target.exemplar(exemplar);
  });
}

/** Green below `redFrom`, red from it: a dead letter or an open breaker is never a quiet colour. */
function thresholds(redFrom?: number): dashboard.ThresholdsConfigBuilder {
  const steps: dashboard.Threshold[] = [{ color: 'green', value: null }];
  if (redFrom !== undefined) steps.push({ color: 'red', value: redFrom });
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

const colourByThresholds = () =>
  new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds);

/**
 * Lines (the default), lines stacked into a total, or bars: bars for counts per interval, where a
 * single event must show as a block rather than a thin spike.
 */
export type SeriesStyle = 'lines' | 'stacked' | 'bars';

export interface TimeseriesOptions extends PanelText {
  unit: string;
  queries: PromQuery[];
  style?: SeriesStyle;
  min?: number;
}

export function promTimeseries(options: TimeseriesOptions): timeseries.PanelBuilder {
  const bars = options.style === 'bars';
  const panel = framed(new timeseries.PanelBuilder(), options, datasources.prometheus, 8)
    .targets(promTargets(options.queries))
    .unit(options.unit)
    .drawStyle(bars ? common.GraphDrawStyle.Bars : common.GraphDrawStyle.Line)
    .lineWidth(1)
    .fillOpacity(bars ? 80 : 10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    // Every series with its last and highest value beside the graph: a run is read after the fact.
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Right)
        .calcs(['lastNotNull', 'max'])
        .showLegend(true),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  if (options.style === 'stacked')
    panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal).group('A'));
  if (options.min !== undefined) panel.min(options.min);
  return panel;
}

/** What one value of a state gauge means, in the order the legend lists them. */
export interface State {
  value: number;
  text: string;
  color: string;
}

export interface StateTimelineOptions extends PanelText {
  query: PromQuery;
  states: State[];
  /** The value from which the state is an alarm (red). */
  redFrom?: number;
}

export function stateTimeline(options: StateTimelineOptions): statetimeline.PanelBuilder {
  const mapping: dashboard.ValueMap = {
    type: dashboard.MappingType.ValueToText,
    options: Object.fromEntries(
      options.states.map(({ value, text, color }, index) => [String(value), { text, color, index }]),
    ),
  };
  return framed(new statetimeline.PanelBuilder(), options, datasources.prometheus, 6)
    .targets(promTargets([options.query]))
    .mappings([mapping])
    .colorScheme(colourByThresholds())
    .thresholds(thresholds(options.redFrom))
    .fillOpacity(80)
    .lineWidth(0)
    .showValue(common.VisibilityMode.Auto)
    .mergeValues(true)
    .rowHeight(0.9)
    .alignValue(common.TimelineValueAlignment.Left)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Single));
}

export interface StatOptions extends PanelText {
  unit: string;
  query: PromQuery;
  redFrom?: number;
}

/** The last value, large, over a sparkline of the range. */
export function promStat(options: StatOptions): stat.PanelBuilder {
  return framed(new stat.PanelBuilder(), options, datasources.prometheus, 5)
    .targets(promTargets([options.query]))
    .unit(options.unit)
    .colorScheme(colourByThresholds())
    .thresholds(thresholds(options.redFrom))
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .textMode(common.BigValueTextMode.Auto)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .orientation(common.VizOrientation.Auto);
}

export interface LogsOptions extends PanelText {
  expr: string;
}

/** Newest first, each line wrapped and expandable into its JSON fields. */
export function lokiLogs(options: LogsOptions): logs.PanelBuilder {
  return framed(new logs.PanelBuilder(), options, datasources.loki, 8)
    .targets([
      new loki.DataqueryBuilder()
        .datasource(datasources.loki)
        .expr(options.expr)
        .refId('A')
        .queryType(loki.LokiQueryType.Range),
    ])
    .showTime(true)
    .wrapLogMessage(true)
    .sortOrder(common.LogsSortOrder.Descending)
    .enableLogDetails(true)
    .dedupStrategy(common.LogsDedupStrategy.None)
    .prettifyLogMessage(false);
}

export interface TracesOptions extends PanelText {
  traceql: string;
  limit: number;
  /** The column the table is sorted by, descending. */
  sortBy: string;
}

/** A TraceQL search as a table of traces: each trace id links to its spans. */
export function tempoTraces(options: TracesOptions): table.PanelBuilder {
  return framed(new table.PanelBuilder(), options, datasources.tempo, 10)
    .targets([
      new tempo.DataqueryBuilder()
        .datasource(datasources.tempo)
        .refId('A')
        .queryType('traceql')
        .query(options.traceql)
        .limit(options.limit)
        .tableType(tempo.SearchTableType.Traces),
    ])
    .showHeader(true)
    .sortBy([new common.TableSortByFieldStateBuilder().displayName(options.sortBy).desc(true)]);
}
