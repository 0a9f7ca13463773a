/**
 * Every alert that links a dashboard opens one with a panel that shows its expression: a panel whose queries read
 * every metric the alert's expression reads (its recorded series or its raw ones), so the notification's
 * *Dashboard* link lands on the symptom, never on a dashboard that cannot show it. A panel removed, or an alert
 * added without one, fails here naming the alert (before the panels of issue 21, 37 alerts had none). The links
 * open the dashboard, not one panel: Grafana's `viewPanel` takes the panel's id, which moves whenever a panel is
 * added above it.
 */
import { alertingRules } from "../../alerts";
import { buildDashboards } from "../../dashboards";
import { DASHBOARDS, type DashboardKey } from "../../contract/dashboards";
import type { Settings } from "../../settings";
import { dashboardQueries } from "../helpers/dashboardQueries";
import { promqlMetricNames } from "../helpers/promql";
import { alertingVariants } from "../helpers/stacks";

/** `… and on () up{…} == 1`: a guard that the source is scraped at all, not the symptom a panel must show. */
const UP_GUARD = /and on \(\) up\{/;

/** For each alert with a dashboard link, the panels of that dashboard whose queries read all its metrics. */
function panelsShowingAlerts(settings: Settings): Map<string, { dashboard: string; panels: string[] }> {
  const built = buildDashboards(settings);
  const result = new Map<string, { dashboard: string; panels: string[] }>();
  for (const rule of alertingRules(settings)) {
    const url = rule.annotations.dashboard_url;
    // Prometheus's own pages (targets, rules, TSDB status) and Explore links show their expression themselves.
    if (!url || !new URL(url).pathname.startsWith("/d/")) continue;
    const uid = new URL(url).pathname.replace(/^\/d\//, "");
    const key = (Object.keys(DASHBOARDS) as DashboardKey[]).find((k) => DASHBOARDS[k].uid === uid);
    const dashboard = built.find((b) => b.key === key);
    if (!dashboard) {
      result.set(rule.alert, { dashboard: uid, panels: [] });
      continue;
    }
    const needed = promqlMetricNames(rule.expr).filter((name) => name !== "up" || !UP_GUARD.test(rule.expr));
    const byPanel = new Map<string, Set<string>>();
    for (const query of dashboardQueries(dashboard.model).filter(
      (q) => q.language === "promql" && !q.where.includes(" / annotation "),
    ))
      for (const name of promqlMetricNames(query.expr))
        byPanel.set(query.where, new Set([...(byPanel.get(query.where) ?? []), name]));
    const panels = [...byPanel.entries()]
      .filter(([, names]) => needed.every((name) => names.has(name)))
      .map(([where]) => where.slice(where.indexOf(" / ") + 3));
    result.set(rule.alert, { dashboard: uid, panels });
  }
  return result;
}

describe("the check", () => {
  it("names the panels that show an alert", () => {
    const found = panelsShowingAlerts(alertingVariants()[0][1]);
    expect(found.get("ApiLatencyBudgetBurnFast")?.panels).toEqual(["Latency burn rate per window"]);
    expect(found.get("ContainerMemoryHigh")?.panels).toEqual(["Container memory vs limit"]);
    expect(found.get("TargetDown")).toBeUndefined();
  });
});

describe.each(alertingVariants())("the alerts' dashboards of %s", (_, settings) => {
  it("have, for every alert with a dashboard link, a panel that reads every metric of its expression", () => {
    const blind = [...panelsShowingAlerts(settings).entries()]
      .filter(([, found]) => found.panels.length === 0)
      .map(([alert, found]) => `${alert} (${found.dashboard})`);
    expect(blind).toEqual([]);
  });
});
