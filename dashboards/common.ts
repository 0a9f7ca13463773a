/**
 * Default builders and query factories shared by the five dashboards: one look, one way to write a query, and
 * the links, variables and alert annotations every dashboard carries. The dashboards read every threshold through
 * the one monitoring config (`monitoringConfig(settings).thresholds`, alerts/config.ts), the route the rules take
 * to the same numbers, never a literal.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as bargauge from "@grafana/grafana-foundation-sdk/bargauge";
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as gauge from "@grafana/grafana-foundation-sdk/gauge";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import * as loki from "@grafana/grafana-foundation-sdk/loki";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { alertingRules } from "../alerts";
import { DASHBOARDS, dashboardUrl, type DashboardKey } from "../contract/dashboards";
import { DATASOURCES } from "../contract/datasources";
import type { Settings } from "../settings";

/** Names of the data source variables: a panel's queries follow whatever the operator picks. */
export const PROMETHEUS_VARIABLE = "datasource";
export const LOKI_VARIABLE = "loki";

const prometheusSource: common.DataSourceRef = { type: "prometheus", uid: `\${${PROMETHEUS_VARIABLE}}` };
const lokiSource: common.DataSourceRef = { type: "loki", uid: `\${${LOKI_VARIABLE}}` };

/** Every tag the stack's dashboards share, so Grafana's dashboard search lists them together. */
export const COMMON_TAG = "koprogo";

/** A PromQL range query on the Prometheus data source variable. `legend` is a Grafana legend format. */
export function prometheusQuery(expr: string, legend = "__auto"): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().datasource(prometheusSource).expr(expr).legendFormat(legend).range();
}

/** An instant PromQL query returned as a table (one row per series), for "top N" tables. */
export function prometheusTableQuery(expr: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder()
    .datasource(prometheusSource)
    .expr(expr)
    .instant()
    .format(prometheus.PromQueryFormat.Table);
}

/** A LogQL query on the Loki data source variable: log lines, or a metric query with `legend`. */
export function lokiQuery(expr: string, legend?: string): loki.DataqueryBuilder {
  const query = new loki.DataqueryBuilder().datasource(lokiSource).expr(expr).queryType("range");
  return legend === undefined ? query : query.legendFormat(legend);
}

/** An instant LogQL metric query (one value per series over the time range), for "top N" bars. */
export function lokiInstantQuery(expr: string, legend: string): loki.DataqueryBuilder {
  return new loki.DataqueryBuilder()
    .datasource(lokiSource)
    .expr(expr)
    .legendFormat(legend)
    .queryType("instant")
    .instant(true)
    .range(false);
}

/** A threshold scale: `base` below the first step. */
export function thresholds(
  base: string,
  steps: readonly { readonly value: number; readonly color: string }[],
): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps]);
}

/** Green until `limit`, red from it: for values where more is worse (CPU, latency, errors). */
export function redAbove(limit: number): dashboard.ThresholdsConfigBuilder {
  return thresholds("green", [{ value: limit, color: "red" }]);
}

/** Red until `limit`, green from it: for values where less is worse (free disk, available memory, cache hits). */
export function redBelow(limit: number): dashboard.ThresholdsConfigBuilder {
  return thresholds("red", [{ value: limit, color: "green" }]);
}

/** What every panel builder of the SDK can be told: its title, unit and place on the grid. */
interface PlacedPanel<T> {
  title(title: string): T;
  unit(unit: string): T;
  span(width: number): T;
  height(height: number): T;
}

/** `panel` titled, with its unit, `span` columns of 24 wide and `height` rows high. */
function placed<T extends PlacedPanel<T>>(panel: T, title: string, unit: string, span: number, height: number): T {
  return panel.title(title).unit(unit).span(span).height(height);
}

/** The last non-null value of each series: what a single-value panel shows. */
function lastValue(): common.ReduceDataOptionsBuilder {
  return new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false);
}

/** A time series panel, width `span` of 24. Thresholds given to it are drawn as dashed lines. */
export function timeseriesPanel(title: string, unit: string, span = 12): timeseries.PanelBuilder {
  return placed(new timeseries.PanelBuilder(), title, unit, span, 8)
    .fillOpacity(10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending),
    );
}

/** `timeseriesPanel` with the alert threshold drawn on it. */
export function timeseriesWithThreshold(
  title: string,
  unit: string,
  limits: dashboard.ThresholdsConfigBuilder,
  span = 12,
): timeseries.PanelBuilder {
  return timeseriesPanel(title, unit, span)
    .thresholds(limits)
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
}

/** A 0/1 health series shown as DOWN / UP. */
export function upDownMappings(): dashboard.ValueMapping[] {
  return [
    {
      type: dashboard.MappingType.ValueToText,
      options: { "0": { text: "DOWN", color: "red", index: 0 }, "1": { text: "UP", color: "green", index: 1 } },
    },
  ];
}

/** A single-number panel showing the last value, coloured by `limits` when given. */
export function statPanel(
  title: string,
  unit: string,
  span = 6,
  limits?: dashboard.ThresholdsConfigBuilder,
): stat.PanelBuilder {
  const panel = placed(new stat.PanelBuilder(), title, unit, span, 4)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(lastValue());
  return limits ? panel.thresholds(limits) : panel;
}

/** A gauge of the last value between `min` and `max`. */
export function gaugePanel(
  title: string,
  unit: string,
  limits: dashboard.ThresholdsConfigBuilder,
  max: number,
  span = 6,
): gauge.PanelBuilder {
  return placed(new gauge.PanelBuilder(), title, unit, span, 4)
    .min(0)
    .max(max)
    .thresholds(limits)
    .showThresholdMarkers(true)
    .reduceOptions(lastValue());
}

/** A table of instant results, the series labels as columns, sorted by `sortBy` descending. */
export function tablePanel(title: string, unit: string, sortBy: string, span = 12): table.PanelBuilder {
  return (
    placed(new table.PanelBuilder(), title, unit, span, 8)
      .sortBy([new common.TableSortByFieldStateBuilder().displayName(sortBy).desc(true)])
      // Instant table queries carry a `Time` column that says nothing here.
      .withTransformation({
        id: "organize",
        options: { excludeByName: { Time: true }, renameByName: { Value: sortBy } },
      })
  );
}

/**
 * Horizontal bars, one per series, named by the query's legend: a "top N" of a LogQL metric query, whose
 * series carry their labels but no table columns.
 */
export function barsPanel(title: string, unit: string, span = 12): bargauge.PanelBuilder {
  return placed(new bargauge.PanelBuilder(), title, unit, span, 8)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .reduceOptions(lastValue());
}

/** A panel of log lines, newest first. */
export function logsPanel(title: string, span = 24): logs.PanelBuilder {
  return new logs.PanelBuilder()
    .title(title)
    .span(span)
    .height(10)
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .sortOrder(common.LogsSortOrder.Descending);
}

/**
 * A row and the panels under it. Rows stay expanded (an operator opening a dashboard during an incident sees
 * every panel at once), and an expanded row holds no panels in Grafana's model: they follow it at the top level.
 * The SDK's `RowBuilder.withPanel` would collapse the row, hence this small holder.
 */
export class Section {
  readonly panels: cog.Builder<dashboard.Panel>[] = [];
  constructor(readonly title: string) {}

  withPanel(panel: cog.Builder<dashboard.Panel>): this {
    this.panels.push(panel);
    return this;
  }
}

export function row(title: string): Section {
  return new Section(title);
}

/** The two data source variables, defaulting to the contract's UIDs. */
function dataSourceVariables(): dashboard.DatasourceVariableBuilder[] {
  return [
    new dashboard.DatasourceVariableBuilder(PROMETHEUS_VARIABLE)
      .label("Prometheus")
      .type("prometheus")
      .current({ selected: true, text: DATASOURCES.prometheus.name, value: DATASOURCES.prometheus.uid }),
    new dashboard.DatasourceVariableBuilder(LOKI_VARIABLE)
      .label("Loki")
      .type("loki")
      .current({ selected: true, text: DATASOURCES.loki.name, value: DATASOURCES.loki.uid }),
  ];
}

/**
 * A variable filled from `label_values(<series>, <label>)` on Prometheus, multi-select with "All" (`.*`), so
 * queries match it with `=~"$name"`.
 */
export function labelVariable(
  name: string,
  label: string,
  series: string,
  labelName: string,
): dashboard.QueryVariableBuilder {
  const definition = `label_values(${series}, ${labelName})`;
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(prometheusSource)
    .query({ qryType: 1, query: definition, refId: "PrometheusVariableQueryEditor-VariableQuery" })
    .definition(definition)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".*")
    .current({ selected: true, text: "All", value: "$__all" });
}

/**
 * The alerts each dashboard shows and links the runbooks of: those whose `dashboard_url` opens it, in the order
 * of the rule files. Derived, never kept by hand, so a new alert linking a dashboard shows on it.
 */
export function dashboardAlerts(settings: Settings): Readonly<Record<DashboardKey, readonly string[]>> {
  const rules = alertingRules(settings);
  const byKey = {} as Record<DashboardKey, string[]>;
  for (const key of Object.keys(DASHBOARDS) as DashboardKey[]) {
    const url = dashboardUrl(settings.alerts.grafanaUrl, key);
    byKey[key] = rules.filter((rule) => rule.annotations.dashboard_url === url).map((rule) => rule.alert);
  }
  return byKey;
}

/** The runbook an alert's `runbook_url` points at: `<alerts.runbookBaseUrl>/<alert>.md`. */
export function runbookUrl(settings: Pick<Settings, "alerts">, alert: string): string {
  return `${settings.alerts.runbookBaseUrl.replace(/\/$/, "")}/${alert}.md`;
}

/**
 * Alert annotations from Prometheus's `ALERTS` series: a firing alert of the dashboard shows on every panel's
 * time axis. A dashboard without alerts of its own shows every critical alert.
 */
function alertAnnotation(alerts: readonly string[]): dashboard.AnnotationQueryBuilder {
  const selector =
    alerts.length > 0
      ? `alertstate="firing", alertname=~"${alerts.join("|")}"`
      : `alertstate="firing", severity="critical"`;
  return new dashboard.AnnotationQueryBuilder()
    .name("Firing alerts")
    .datasource(prometheusSource)
    .enable(true)
    .iconColor("red")
    .expr(`ALERTS{${selector}}`)
    .step("60s")
    .titleFormat("{{alertname}}")
    .textFormat("{{severity}} on {{instance}}")
    .tagKeys("severity")
    .useValueForTime(false);
}

/** Links to the four other dashboards (time range and variables kept) and to the dashboard's runbooks. */
function dashboardLinks(
  settings: Pick<Settings, "alerts">,
  self: DashboardKey,
  alerts: readonly string[],
): dashboard.DashboardLinkBuilder[] {
  const others = (Object.keys(DASHBOARDS) as DashboardKey[])
    .filter((key) => key !== self)
    .map((key) =>
      new dashboard.DashboardLinkBuilder(DASHBOARDS[key].title)
        .type(dashboard.DashboardLinkType.Link)
        .url(`/d/${DASHBOARDS[key].uid}`)
        .icon("dashboard")
        .keepTime(true)
        .includeVars(false)
        .targetBlank(false),
    );
  const runbooks = alerts.map((alert) =>
    new dashboard.DashboardLinkBuilder(`Runbook: ${alert}`)
      .type(dashboard.DashboardLinkType.Link)
      .url(runbookUrl(settings, alert))
      .icon("doc")
      .tooltip(`What to do when ${alert} fires`)
      .targetBlank(true)
      .keepTime(false)
      .includeVars(false),
  );
  return [...others, ...runbooks];
}

export interface DashboardOptions {
  readonly description: string;
  /** Tags besides `koprogo`. */
  readonly tags: readonly string[];
  /** Variables after the data source ones. */
  readonly variables?: readonly dashboard.QueryVariableBuilder[];
  /** Start of the default time range. Defaults to `now-6h`. */
  readonly from?: string;
  /** The rows, top to bottom. */
  readonly rows: readonly Section[];
}

/** The panel's data source: its queries' one, so the query editor opens on it (Grafana's "Mixed" when they differ). */
function panelDataSource(targets: readonly cog.Dataquery[]): common.DataSourceRef {
  const uids = new Set(targets.map((t) => (t as { datasource?: common.DataSourceRef }).datasource?.uid));
  if (uids.size === 1) return (targets[0] as { datasource?: common.DataSourceRef }).datasource ?? prometheusSource;
  return { type: "datasource", uid: "-- Mixed --" };
}

/**
 * A dashboard with the contract's UID and title, the shared tags, variables, alert annotations and links, and
 * stable panel ids (1, 2, ... in layout order) so each build gives the same JSON.
 */
export function standardDashboard(
  settings: Settings,
  key: DashboardKey,
  options: DashboardOptions,
): dashboard.Dashboard {
  const { uid, title } = DASHBOARDS[key];
  const alerts = dashboardAlerts(settings)[key];
  const builder = new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(options.description)
    .tags([COMMON_TAG, ...options.tags])
    // Declared in code and overwritten on every `pulumi up`: an edit in the UI would be lost, so the UI refuses it.
    .readonly()
    .refresh("1m")
    .time({ from: options.from ?? "now-6h", to: "now" })
    .timezone("browser")
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .variables([...dataSourceVariables(), ...(options.variables ?? [])])
    .annotation(alertAnnotation(alerts))
    .links(dashboardLinks(settings, key, alerts));
  for (const section of options.rows) {
    builder.withRow(new dashboard.RowBuilder(section.title).collapsed(false));
    for (const panel of section.panels) builder.withPanel(panel);
  }
  const model = builder.build();
  (model.panels ?? []).forEach((panel, index) => {
    panel.id = index + 1;
    if ("targets" in panel && panel.targets) panel.datasource = panelDataSource(panel.targets);
  });
  return model;
}
