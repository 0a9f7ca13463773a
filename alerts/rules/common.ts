/**
 * The one rule builder: every alert of every rule file is written as a plain spec (name, expression, `for` from
 * the config, severity, texts) plus where its dashboard and logs are. `runbook_url` and the `escalation` label are not here: the renderer adds
 * them to every rule in one pass (`alerts/index.ts`).
 */
import { dashboardUrl, type DashboardKey } from "../../contract/dashboards";
import { logsUrl } from "../../contract/links";
import type { MonitoringConfig, ForKey } from "../config";
import type { AlertingRule } from "../types";

export interface AlertSpec {
  readonly alert: string;
  readonly expr: string;
  /** Which of the config's `for` durations applies. */
  readonly for: ForKey;
  readonly severity: AlertingRule["labels"]["severity"];
  /** One line: what is wrong. */
  readonly summary: string;
  /** What is wrong with the value (formats in `alerts/valueFormats.ts`, `humanizePercentage`...) and where (`{{ $labels.instance }}`). */
  readonly description: string;
  /** The dashboard that shows the symptom: a contract dashboard, or a page of Prometheus's UI for its own alerts. */
  readonly dashboard?: DashboardKey | { readonly url: string };
  /** LogQL that gives the context of the alert (opened in Grafana Explore). */
  readonly logs?: string;
  /** Extra labels (e.g. `escalation: "L4"` for a security incident). */
  readonly labels?: Readonly<Record<string, string>>;
}

export function alertRule(config: MonitoringConfig, spec: AlertSpec): AlertingRule {
  const annotations: Record<string, string> = { summary: spec.summary, description: spec.description };
  if (spec.dashboard)
    annotations.dashboard_url =
      typeof spec.dashboard === "string" ? dashboardUrl(config.grafanaUrl, spec.dashboard) : spec.dashboard.url;
  if (spec.logs) annotations.logs_url = logsUrl(config.grafanaUrl, spec.logs);
  return {
    alert: spec.alert,
    expr: spec.expr,
    for: config.for[spec.for],
    // Severity first, then the extra labels: the order the rendered YAML shows them in.
    labels: { severity: spec.severity, ...spec.labels },
    annotations: annotations as AlertingRule["annotations"],
  };
}
