/** The rule generators alone: names, validation, the one pass that adds runbooks, and every alert's runbook file. */
import * as fs from "fs";
import * as path from "path";
import { alertingRules, alertProblems, ruleFiles } from "../../alerts";
import { FOR, monitoringConfig, PSEUDO_FILESYSTEMS } from "../../alerts/config";
import { requestRecordingRules } from "../../alerts/rules/requests";
import type { AlertingRule } from "../../alerts/types";
import { REQUEST_RECORDING_RULES } from "../../contract/recordingRules";
import { PROJECT_DIR, stackSettings } from "../helpers/stacks";
import { withRequestSource } from "../helpers/renderAlerts";
import { alertTable, runbookDefinition } from "../../alerts/runbookDefinition";
import { parseStackConfig } from "../../settings";

const { settings: dev } = stackSettings("dev");
const { settings: prod } = stackSettings("prod");

const BRIEF_ALERTS: [string, string, string][] = [
  ["ApiDown", "critical", "1m"],
  ["DatabaseDown", "critical", "30s"],
  ["DiskFull", "critical", "5m"],
  ["HighErrorRate", "critical", "5m"],
  ["MemoryExhaustion", "critical", "5m"],
  ["SlowApi", "warning", "10m"],
  ["HighCpu", "warning", "15m"],
  ["DatabaseConnectionsHigh", "warning", "5m"],
];

describe("the alerting rules", () => {
  const rules = alertingRules(dev);
  const byName = new Map(rules.map((r) => [r.alert, r]));

  it.each(BRIEF_ALERTS)("defines %s as %s with for %s", (name, severity, forDuration) => {
    expect(byName.get(name)?.labels.severity).toBe(severity);
    expect(byName.get(name)?.for).toBe(forDuration);
  });

  it("adds runbook_url to every alert from the runbook base URL", () => {
    for (const rule of rules)
      expect(rule.annotations.runbook_url).toBe(`${dev.alerts.runbookBaseUrl}/${rule.alert}.md`);
  });

  it("links every alert that notifies a person to its dashboard and logs", () => {
    for (const rule of rules.filter((r) => r.labels.severity !== "none")) {
      expect(rule.annotations.dashboard_url).toMatch(/^https?:\/\//);
      expect(rule.annotations.logs_url).toContain("/explore?schemaVersion=1&panes=");
    }
  });

  it("escalates critical alerts to L2 and warnings to L1, unless a rule escalates further itself (security: L4)", () => {
    const byDefault = rules.filter((r) => r.labels.escalation !== "L4");
    for (const rule of byDefault.filter((r) => r.labels.severity === "critical"))
      expect(rule.labels.escalation).toBe("L2");
    for (const rule of byDefault.filter((r) => r.labels.severity === "warning"))
      expect(rule.labels.escalation).toBe("L1");
    expect(rules.filter((r) => r.labels.escalation === "L4").map((r) => r.alert)).toEqual(
      expect.arrayContaining(["CrowdsecDown"]),
    );
  });

  it("has a runbook file for every alert, quoting the alert's definition as the default settings render it", () => {
    for (const rule of alertingRules(parseStackConfig("dev", {}, new Set()).settings)) {
      const file = path.join(PROJECT_DIR, "alerts/runbooks", `${rule.alert}.md`);
      expect(fs.existsSync(file)).toBe(true);
      expect(fs.readFileSync(file, "utf8")).toContain(runbookDefinition(rule));
    }
  });

  it("lists every alert in the table of docs/operator/alerts.md, as the default settings render it", () => {
    const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs/operator/alerts.md"), "utf8");
    expect(doc).toContain(alertTable(alertingRules(parseStackConfig("dev", {}, new Set()).settings)));
  });

  it("reads thresholds from the settings: a number is written once", () => {
    const tuned = {
      ...dev,
      alerts: { ...dev.alerts, thresholds: { ...dev.alerts.thresholds, dbConnectionsRatio: 0.9, diskFreeRatio: 0.05 } },
    };
    const tunedRules = new Map(alertingRules(tuned).map((r) => [r.alert, r]));
    expect(tunedRules.get("DatabaseConnectionsHigh")?.expr).toMatch(/> 0\.9$/);
    expect(tunedRules.get("DatabaseConnectionsHigh")?.annotations.description).toContain("above 90%");
    expect(tunedRules.get("DiskFull")?.expr).toContain("< 0.05)");
  });

  it("excludes every pseudo filesystem and read-only filesystems from DiskFull", () => {
    const expr = byName.get("DiskFull")!.expr;
    for (const fstype of PSEUDO_FILESYSTEMS) expect(expr).toContain(fstype);
    expect(expr).toContain("node_filesystem_readonly");
  });

  it("leaves the jobs with a down alert of their own (API, database, Loki, Alloy, CrowdSec) out of the generic TargetDown", () => {
    expect(byName.get("TargetDown")?.expr).toBe(`up{job!~"koprogo-api|postgresql|loki|alloy|crowdsec"} == 0`);
  });

  it("renders the prod stack too", () => {
    expect(ruleFiles(prod).map((f) => f.name)).toEqual([
      "requests",
      "api",
      "database",
      "node",
      "meta",
      "security",
      "logs",
      "capacity",
      "containers",
      "backups",
      "minio",
      "database-health",
      "slo",
      "probes",
    ]);
  });
});

describe("alert validation", () => {
  const valid: AlertingRule = {
    alert: "ExampleBroken",
    expr: "up == 0",
    for: "5m",
    labels: { severity: "warning" },
    annotations: { summary: "s", description: "d", dashboard_url: "http://grafana/d/x" },
  };
  it("accepts a complete alert", () => expect(alertProblems("f", valid)).toEqual([]));
  it.each<[string, Partial<AlertingRule>, string]>([
    ["a name that is not PascalCase", { alert: "example_broken" }, "PascalCase"],
    ["no for", { for: "" }, "`for` is missing"],
    ["an unknown severity", { labels: { severity: "page" as "critical" } }, "label `severity`"],
    ["no summary", { annotations: { summary: "", description: "d", dashboard_url: "x" } }, "annotation `summary`"],
    [
      "no description",
      { annotations: { summary: "s", description: " ", dashboard_url: "x" } },
      "annotation `description`",
    ],
    ["no dashboard on a warning", { annotations: { summary: "s", description: "d" } }, "annotation `dashboard_url`"],
    ["an unknown escalation level", { labels: { severity: "warning", escalation: "L9" } }, "label `escalation`"],
    [
      "a hand-written runbook_url",
      { annotations: { summary: "s", description: "d", dashboard_url: "x", runbook_url: "x" } },
      "added by the renderer",
    ],
  ])("refuses %s, naming the file, the alert and the field", (_, change, message) => {
    const problems = alertProblems("api", { ...valid, ...change });
    expect(problems.join("\n")).toContain(message);
    expect(problems[0]).toMatch(/^rule file api, alert /);
  });
});

describe("the request recording rules", () => {
  it.each(["backend", "traefik"] as const)(
    "record exactly the contract's names from the %s, labelled job koprogo-api",
    (source) => {
      const rules = requestRecordingRules(withRequestSource(dev, source));
      expect(rules.map((r) => r.record).sort()).toEqual(Object.values(REQUEST_RECORDING_RULES).sort());
      for (const rule of rules) expect(rule.labels).toEqual({ job: "koprogo-api" });
    },
  );

  it("select Traefik's service with the configured regex", () => {
    const rules = requestRecordingRules({
      ...withRequestSource(dev, "traefik"),
      alerts: { ...dev.alerts, requestMetricsSource: "traefik", traefikService: "api@docker" },
    });
    for (const rule of rules) expect(rule.expr).toContain('job="traefik", service=~"api@docker"');
  });

  it("use one rate window everywhere", () => {
    const window = monitoringConfig(dev).rateInterval;
    for (const rule of requestRecordingRules(dev)) expect(rule.expr).toContain(`[${window}]`);
    expect(FOR.apiDown).toBe("1m");
  });
});
