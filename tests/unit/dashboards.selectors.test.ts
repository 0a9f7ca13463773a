/**
 * One monitoring config: a dashboard panel that shows a metric an alert reads selects it exactly as the alert
 * does (same job, same filesystem filter, same Traefik service), so what the dashboard shows is what fires.
 * Both read `alerts/config.ts`; this test fails when one of them spells a selector by hand and drifts.
 */
import { alertingRules } from "../../alerts";
import { buildDashboards } from "../../dashboards";
import { dashboardAlerts } from "../../dashboards/common";
import { DASHBOARDS, dashboardUrl, type DashboardKey } from "../../contract/dashboards";
import { type Settings } from "../../settings";
import { dashboardQueries } from "../helpers/dashboardQueries";
import { promqlSelectors, type PromqlSelector } from "../helpers/promql";
import { alertingVariants, stackSettings } from "../helpers/stacks";

/** The labels that say WHICH series a selector reads (the scrape job, the filesystems, Traefik's service). */
const IDENTITY_LABELS = new Set(["job", "fstype", "service"]);

const identity = (selector: PromqlSelector) =>
  selector.matchers.filter((m) => IDENTITY_LABELS.has(/^\w+/.exec(m)?.[0] ?? ""));

/** For each metric the alerts read, the identity matchers of each of the alerts' selectors of it. */
function alertSelectors(settings: Settings): Map<string, string[][]> {
  const byMetric = new Map<string, string[][]>();
  for (const rule of alertingRules(settings)) {
    for (const selector of promqlSelectors(rule.expr))
      byMetric.set(selector.metric, [...(byMetric.get(selector.metric) ?? []), identity(selector)]);
  }
  return byMetric;
}

/** The dashboard selectors of alerted metrics that select none of the alerts' series sets. */
function driftingSelectors(settings: Settings, extraQueries: readonly { where: string; expr: string }[] = []) {
  const alerted = alertSelectors(settings);
  const queries = [
    ...buildDashboards(settings)
      .flatMap((b) => dashboardQueries(b.model))
      .filter((q) => q.language === "promql"),
    ...extraQueries,
  ];
  const checked: string[] = [];
  const drifting: string[] = [];
  for (const query of queries) {
    for (const selector of promqlSelectors(query.expr)) {
      const own = alerted.get(selector.metric);
      if (!own) continue;
      checked.push(`${query.where}: ${selector.metric}`);
      if (!own.some((matchers) => matchers.every((m) => selector.matchers.includes(m))))
        drifting.push(`${query.where}: ${selector.metric}{${selector.matchers.join(", ")}}`);
    }
  }
  return { checked, drifting };
}

describe.each(alertingVariants())("the dashboards of %s", (_, settings) => {
  it("select every alerted metric with the alert's own selector", () => {
    const { checked, drifting } = driftingSelectors(settings);
    expect(drifting).toEqual([]);
    // Not vacuous: the host, database, API and CrowdSec panels all read alerted metrics.
    expect(checked.length).toBeGreaterThan(20);
  });
});

describe("the selector check", () => {
  const settings = stackSettings("dev").settings;

  it.each([
    [
      "a hand-kept list of pseudo filesystems that lost one",
      'node_filesystem_avail_bytes{job="node", fstype!~"tmpfs|overlay"}',
    ],
    ["another job name", 'node_memory_MemAvailable_bytes{job="node-exporter"}'],
    ["no job at all", "pg_stat_activity_count"],
  ])("catches %s", (_, expr) => {
    expect(driftingSelectors(settings, [{ where: "test", expr }]).drifting).toEqual([
      `test: ${promqlSelectors(expr)[0].metric}{${promqlSelectors(expr)[0].matchers.join(", ")}}`,
    ]);
  });
});

describe("the alerts a dashboard shows", () => {
  const settings = stackSettings("dev").settings;
  const shown = dashboardAlerts(settings);

  it("are exactly the alerts whose dashboard link opens it", () => {
    for (const key of Object.keys(DASHBOARDS) as DashboardKey[]) {
      const linking = alertingRules(settings)
        .filter((r) => r.annotations.dashboard_url === dashboardUrl(settings.alerts.grafanaUrl, key))
        .map((r) => r.alert);
      expect([key, shown[key]]).toEqual([key, linking]);
    }
  });

  it("include the four security alerts on Security Events, and the brief's alerts on theirs", () => {
    expect(shown.securityEvents).toEqual([
      "CrowdsecDown",
      "CrowdsecLogSourceSilent",
      "SecurityIdsHighSeverityBurst",
      "SecurityBanSpike",
    ]);
    expect(shown.apiOverview).toEqual(expect.arrayContaining(["ApiDown", "HighErrorRate", "SlowApi"]));
    expect(shown.systemHealth).toEqual(expect.arrayContaining(["DiskFull", "MemoryExhaustion", "HighCpu"]));
    expect(shown.postgresql).toEqual(expect.arrayContaining(["DatabaseDown", "DatabaseConnectionsHigh"]));
    // KoproGo's own alerts' counterparts and the SLOs, on the dashboard of their symptom.
    expect(shown.apiOverview).toEqual(
      expect.arrayContaining(["ApiErrorBudgetBurnFast", "ApiErrorBudgetBurnSlow", "ApiPublicEndpointDown"]),
    );
    expect(shown.systemHealth).toEqual(expect.arrayContaining(["ContainerMemoryHigh", "BackupTooOld", "MinioDown"]));
    expect(shown.postgresql).toEqual(expect.arrayContaining(["DatabaseCacheHitRatioLow", "DatabaseSlowStatements"]));
  });
});
