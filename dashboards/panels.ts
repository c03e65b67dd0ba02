// Panel, query and variable helpers shared by the dashboards: one place decides the datasource,
// legend layout and defaults, so every dashboard looks and behaves alike and every panel has a unit.

import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import { BURROW_STATUS, type BurrowStatusName } from '../observability/metrics/index.js';

/** Every panel and variable queries the Prometheus chosen in the `datasource` variable. */
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** Grafana unit ids used by the dashboards (see @grafana/grafana-foundation-sdk/units). */
export const UNIT = {
  seconds: 's',
  milliseconds: 'ms',
  bytesPerSecond: 'Bps',
  requestsPerSecond: 'reqps',
  /** records, messages or events per second */
  perSecond: 'ops',
  count: 'short',
  none: 'none',
} as const;
export type Unit = (typeof UNIT)[keyof typeof UNIT];

export interface Query {
  readonly expr: string;
  readonly legend: string;
  /** Table panels want the latest value only. */
  readonly instant?: boolean;
}

function target(q: Query, index: number): prometheus.DataqueryBuilder {
  const builder = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .expr(q.expr)
    .legendFormat(q.legend)
    .refId(String.fromCharCode(65 + index));
  if (q.instant === true) builder.instant().format(prometheus.PromQueryFormat.Table);
  else builder.range();
  return builder;
}

interface PanelOptions {
  readonly title: string;
  readonly description: string;
  readonly unit: Unit;
  readonly queries: readonly Query[];
  /** Grid width out of 24. */
  readonly span?: number;
  readonly height?: number;
  readonly thresholds?: readonly dashboard.Threshold[];
}

function thresholdsOf(steps: readonly dashboard.Threshold[] | undefined): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps === undefined ? [{ value: null, color: 'green' }] : [...steps]);
}

export function timeSeriesPanel(o: PanelOptions): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.span ?? 12)
    .height(o.height ?? 8)
    .thresholds(thresholdsOf(o.thresholds))
    .lineWidth(1)
    .fillOpacity(10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  if (o.thresholds !== undefined) {
    panel.thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
    );
  }
  o.queries.forEach((q, i) => panel.withTarget(target(q, i)));
  return panel;
}

export function statPanel(
  o: PanelOptions & { readonly mappings?: dashboard.ValueMapping[] },
): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.span ?? 6)
    .height(o.height ?? 4)
    .thresholds(thresholdsOf(o.thresholds))
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  if (o.mappings !== undefined) panel.mappings(o.mappings);
  o.queries.forEach((q, i) => panel.withTarget(target(q, i)));
  return panel;
}

export function tablePanel(
  o: PanelOptions & { readonly mappings?: dashboard.ValueMapping[] },
): table.PanelBuilder {
  const panel = new table.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.span ?? 12)
    .height(o.height ?? 8)
    .thresholds(thresholdsOf(o.thresholds))
    // Instant queries in table format: drop the Time column and sort by value, worst first.
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } })
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('Value').desc(true)]);
  if (o.mappings !== undefined) panel.mappings(o.mappings);
  o.queries.forEach((q, i) => panel.withTarget(target({ ...q, instant: true }, i)));
  return panel;
}

export function stateTimelinePanel(
  o: PanelOptions & { readonly mappings: dashboard.ValueMapping[] },
): statetimeline.PanelBuilder {
  const panel = new statetimeline.PanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.span ?? 12)
    .height(o.height ?? 8)
    .thresholds(thresholdsOf(o.thresholds))
    .mappings(o.mappings)
    .showValue(common.VisibilityMode.Never)
    .mergeValues(true);
  o.queries.forEach((q, i) => panel.withTarget(target(q, i)));
  return panel;
}

const BURROW_COLOURS: Record<BurrowStatusName, string> = {
  NOTFOUND: 'text',
  OK: 'green',
  WARN: 'yellow',
  ERR: 'red',
  STOP: 'dark-red',
  STALL: 'purple',
  REWIND: 'orange',
};

/** Value mapping that shows kgw_burrow_status codes as Burrow's names, coloured by severity. */
export function burrowStatusMappings(): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  for (const [name, code] of Object.entries(BURROW_STATUS) as [BurrowStatusName, number][]) {
    options[String(code)] = { text: name, color: BURROW_COLOURS[name], index: code };
  }
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');
}

/**
 * A Prometheus `label_values(selector, label)` variable. `selector` is built with sel() so the
 * metric and its labels come from the catalogue.
 */
export function labelValuesVariable(o: {
  readonly name: string;
  readonly label: string;
  readonly selector: string;
  readonly labelName: string;
  readonly multi: boolean;
}): dashboard.QueryVariableBuilder {
  const query = `label_values(${o.selector}, ${o.labelName})`;
  const variable = new dashboard.QueryVariableBuilder(o.name)
    .label(o.label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
  if (o.multi) variable.multi(true).includeAll(true).allValue('.*');
  return variable;
}

export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title);
}

/** The common frame of all kgw dashboards. */
export function baseDashboard(o: {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
}): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(o.title)
    .uid(o.uid)
    .description(o.description)
    .tags(['kgw', ...o.tags])
    .editable()
    .timezone('browser')
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable());
}
