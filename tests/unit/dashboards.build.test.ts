import type { Dashboard, DashboardLink, Panel, ThresholdsConfig } from "@grafana/grafana-foundation-sdk/dashboard";
import { DASHBOARDS, type DashboardKey } from "../../contract/dashboards";
import { DATASOURCES } from "../../contract/datasources";
import { buildDashboards, type BuiltDashboard } from "../../dashboards";
import { dashboardAlerts, runbookUrl } from "../../dashboards/common";
import { parseStackConfig, type Settings } from "../../settings";
import { stackSettings } from "../helpers/stacks";

const { settings: dev } = stackSettings("dev");
const built = buildDashboards(dev);
const shownAlerts = dashboardAlerts(dev);
const byKey = Object.fromEntries(built.map((b) => [b.key, b])) as Record<DashboardKey, BuiltDashboard>;
const panels = (model: Dashboard) => (model.panels ?? []).filter((p): p is Panel => p.type !== "row");
const panel = (key: DashboardKey, title: string) => {
  const found = panels(byKey[key].model).find((p) => p.title === title);
  if (!found) throw new Error(`${key} has no panel "${title}"`);
  return found;
};
const steps = (p: Panel) => (p.fieldConfig?.defaults?.thresholds as ThresholdsConfig | undefined)?.steps ?? [];
const exprs = (p: Panel) => ((p.targets ?? []) as { expr?: string }[]).map((t) => t.expr ?? "");

/** Settings with the alert thresholds changed, to see the dashboards follow them. */
function withThresholds(thresholds: Record<string, number>): Settings {
  return parseStackConfig(
    "dev",
    { alerts: { thresholds }, grafana: { dashboards: { slowQuerySeconds: 2.5 } } },
    new Set(),
  ).settings;
}

describe.each(Object.keys(DASHBOARDS) as DashboardKey[])("the %s dashboard", (key) => {
  const { model, json, uid } = byKey[key];

  it("builds with the contract's UID and title", () => {
    expect(uid).toBe(DASHBOARDS[key].uid);
    expect(model.uid).toBe(DASHBOARDS[key].uid);
    expect(model.title).toBe(DASHBOARDS[key].title);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(model)));
  });

  it("is tagged koprogo, has a description and panels with unique ids on a 24-column grid", () => {
    expect(model.tags).toContain("koprogo");
    expect(model.description).toBeTruthy();
    const ids = (model.panels ?? []).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(panels(model).length).toBeGreaterThanOrEqual(6);
    for (const p of model.panels ?? []) expect(p.gridPos!.x + p.gridPos!.w).toBeLessThanOrEqual(24);
  });

  it("keeps its rows expanded, with no panel hidden inside one", () => {
    for (const p of model.panels ?? []) if (p.type === "row") expect(p).toMatchObject({ collapsed: false, panels: [] });
  });

  it("offers the Prometheus and Loki data sources as variables defaulting to the contract's UIDs", () => {
    const variables = model.templating?.list ?? [];
    expect(variables.find((v) => v.name === "datasource")).toMatchObject({
      type: "datasource",
      query: "prometheus",
      current: { value: DATASOURCES.prometheus.uid },
    });
    expect(variables.find((v) => v.name === "loki")).toMatchObject({
      type: "datasource",
      query: "loki",
      current: { value: DATASOURCES.loki.uid },
    });
  });

  it("queries through the data source variables only", () => {
    for (const p of panels(model)) {
      for (const target of (p.targets ?? []) as { datasource?: { uid?: string } }[])
        expect(["${datasource}", "${loki}"]).toContain(target.datasource?.uid);
    }
  });

  it("annotates firing alerts from the ALERTS series", () => {
    const annotation = model.annotations?.list?.find((a) => a.name === "Firing alerts");
    expect(annotation).toMatchObject({ enable: true, datasource: { type: "prometheus", uid: "${datasource}" } });
    for (const alert of shownAlerts[key]) expect(annotation?.expr).toContain(alert);
    expect(annotation?.expr).toMatch(/^ALERTS\{alertstate="firing", /);
  });

  it("links to the four other dashboards and to its runbooks", () => {
    const links = (model.links ?? []) as DashboardLink[];
    const others = (Object.keys(DASHBOARDS) as DashboardKey[]).filter((k) => k !== key);
    expect(links.filter((l) => l.url?.startsWith("/d/")).map((l) => l.url)).toEqual(
      others.map((k) => `/d/${DASHBOARDS[k].uid}`),
    );
    expect(links.filter((l) => l.title.startsWith("Runbook: ")).map((l) => l.url)).toEqual(
      shownAlerts[key].map((a) => runbookUrl(dev, a)),
    );
  });
});

describe("variables", () => {
  it.each([
    ["apiOverview", ["datasource", "loki", "instance", "endpoint"]],
    ["systemHealth", ["datasource", "loki", "instance"]],
    ["postgresql", ["datasource", "loki", "instance", "database"]],
    ["business", ["datasource", "loki", "instance"]],
    ["securityEvents", ["datasource", "loki", "instance"]],
  ] as [DashboardKey, string[]][])("%s declares %j", (key, names) => {
    expect(byKey[key].model.templating?.list?.map((v) => v.name)).toEqual(names);
  });

  it.each(Object.keys(DASHBOARDS) as DashboardKey[])(
    "%s declares every variable its queries use, and uses every query variable it declares",
    (key) => {
      const { model } = byKey[key];
      const declared = new Set((model.templating?.list ?? []).map((v) => v.name));
      const text = JSON.stringify([model.panels, model.annotations]);
      const used = new Set(
        [...text.matchAll(/\$\{?(\w+)\}?/g)].map((m) => m[1]).filter((name) => !name.startsWith("__")),
      );
      expect([...used].filter((name) => !declared.has(name))).toEqual([]);
      // The two data source variables are on every dashboard, even one without a Loki panel.
      expect([...declared].filter((name) => !used.has(name) && name !== "datasource" && name !== "loki")).toEqual([]);
    },
  );
});

describe("firing-alert annotations", () => {
  it("show every critical alert on a dashboard that no alert links", () => {
    expect(shownAlerts.business).toEqual([]);
    expect(byKey.business.model.annotations?.list?.find((a) => a.name === "Firing alerts")?.expr).toBe(
      'ALERTS{alertstate="firing", severity="critical"}',
    );
  });
});

describe("thresholds", () => {
  it("draw the alert thresholds of the settings on the panels", () => {
    const { thresholds } = dev.alerts;
    expect(steps(panel("apiOverview", "P99 latency"))).toContainEqual({
      value: thresholds.latencyP99Seconds,
      color: "red",
    });
    expect(steps(panel("apiOverview", "5xx errors/s"))).toContainEqual({
      value: thresholds.errorsPerSecond,
      color: "red",
    });
    expect(steps(panel("systemHealth", "CPU busy"))).toContainEqual({ value: thresholds.cpuBusyRatio, color: "red" });
    expect(steps(panel("systemHealth", "Memory available"))).toContainEqual({
      value: thresholds.memoryAvailableBytes,
      color: "green",
    });
    expect(steps(panel("systemHealth", "Lowest free disk"))).toContainEqual({
      value: thresholds.diskFreeRatio,
      color: "green",
    });
    expect(steps(panel("postgresql", "Connections used"))).toContainEqual({
      value: thresholds.dbConnectionsRatio,
      color: "red",
    });
    expect(steps(panel("postgresql", "Cache hit ratio"))).toContainEqual({ value: 0.9, color: "green" });
  });

  it("use the brief's numbers by default: 10 % disk, 80 % CPU, 100 MiB, 1 s, 10/s, 80 % of max_connections", () => {
    // The brief's six; the thresholds of the alerts added since (capacity, containers, backups, probes) beside them.
    expect(dev.alerts.thresholds).toMatchObject({
      diskFreeRatio: 0.1,
      errorsPerSecond: 10,
      memoryAvailableBytes: 100 * 1024 * 1024,
      latencyP99Seconds: 1,
      cpuBusyRatio: 0.8,
      dbConnectionsRatio: 0.8,
    });
  });

  it("follow a stack that changes them", () => {
    const changed = Object.fromEntries(
      buildDashboards(withThresholds({ latencyP99Seconds: 0.5, dbConnectionsRatio: 0.7 })).map((b) => [b.key, b.model]),
    ) as Record<DashboardKey, Dashboard>;
    const find = (key: DashboardKey, title: string) => panels(changed[key]).find((p) => p.title?.startsWith(title))!;
    expect(steps(find("apiOverview", "P99 latency"))).toContainEqual({ value: 0.5, color: "red" });
    expect(exprs(find("postgresql", "Connections by state"))).toContain(
      'max(pg_settings_max_connections{job="postgresql", instance=~"$instance"}) * 0.7',
    );
    expect(exprs(find("postgresql", "Slow statements"))[0]).toContain(") > 2.5)");
  });
});

describe("panels the issue asks for", () => {
  it.each([
    [
      "apiOverview",
      [
        "Requests/s per endpoint",
        "Latency P50 / P95 / P99",
        "Requests/s by status class",
        "Slowest endpoints (P99)",
        "Recent API errors",
      ],
    ],
    [
      "systemHealth",
      [
        "CPU busy",
        "CPU usage by mode",
        "Memory",
        "Free space per filesystem",
        "Network traffic",
        "Processes",
        "Load average 1 / 5 / 15",
        "Disk I/O",
      ],
    ],
    [
      "postgresql",
      [
        "Connections by state",
        "Cache hit ratio",
        "Cache hit ratio over time",
        "Database size",
        "Size per database",
        "Growth per day",
        "Slow statements (mean > 1s per call)",
        "PostgreSQL errors",
      ],
    ],
    [
      "business",
      [
        "New users per day",
        "Expenses created / validated per day",
        "On-time payment rate",
        "Daily and monthly active users",
        "DAU / MAU",
      ],
    ],
    [
      "securityEvents",
      ["IDS alerts by attack class", "Bans per jail", "Active decisions by reason", "Alerts by scenario"],
    ],
  ] as [DashboardKey, string[]][])("%s has %j", (key, titles) => {
    for (const title of titles) expect(panel(key, title)).toBeDefined();
  });

  it("shows the four Suricata attack classes", () => {
    const legends = (panel("securityEvents", "IDS alerts by attack class").targets as { legendFormat?: string }[]).map(
      (t) => t.legendFormat,
    );
    expect(legends).toEqual(["SQL injection", "XSS", "Path traversal", "Port scan"]);
  });

  it("has an endpoint variable on the API dashboard that the per-endpoint panels use", () => {
    expect(byKey.apiOverview.model.templating?.list?.map((v) => v.name)).toEqual([
      "datasource",
      "loki",
      "instance",
      "endpoint",
    ]);
    expect(exprs(panel("apiOverview", "Requests/s per endpoint"))[0]).toContain('path=~"$endpoint"');
  });

  it("uses $__rate_interval for the rates it computes itself", () => {
    expect(exprs(panel("systemHealth", "Disk I/O")).every((e) => e.includes("[$__rate_interval]"))).toBe(true);
  });
});

describe("one dashboard per resource", () => {
  it("a setting read by one dashboard changes that dashboard's JSON alone (one update in `pulumi preview`)", () => {
    const changed = buildDashboards(
      parseStackConfig("dev", { grafana: { dashboards: { cacheHitRatioMin: 0.95 } } }, new Set()).settings,
    );
    const differing = changed.filter((b, i) => b.json !== built[i].json).map((b) => b.uid);
    expect(differing).toEqual(["postgresql"]);
  });

  it("builds the same JSON twice (no ids or timestamps that drift)", () => {
    expect(buildDashboards(dev).map((b) => b.json)).toEqual(built.map((b) => b.json));
  });
});

describe("panel titles", () => {
  it.each(Object.keys(DASHBOARDS) as DashboardKey[])(
    "are unique within %s, so a link or a search finds one panel",
    (key) => {
      const titles = panels(byKey[key].model).map((p) => p.title);
      expect(titles.filter((t, i) => titles.indexOf(t) !== i)).toEqual([]);
    },
  );

  it("name the data source of every panel with queries: theirs, so the editor opens on it", () => {
    for (const { model } of built) {
      for (const p of panels(model))
        expect(p.datasource?.uid).toBe(((p.targets ?? [])[0] as { datasource?: { uid?: string } }).datasource?.uid);
    }
  });
});
