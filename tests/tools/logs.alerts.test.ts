import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { renderRuleFiles, RULE_FILES } from "../../alerts";
import { logRules } from "../../alerts/rules/logs";
import type { AlertingRule } from "../../alerts/types";
import { placeholderSecrets } from "../../settings";
import { assertValidLogql } from "../helpers/logql";
import { assertValidPromql } from "../helpers/promql";
import { PROJECT_DIR, stackSettings } from "../helpers/stacks";
import { describeWithTools, toolPath } from "../helpers/tools";

// The dev stack, whose links the promtool test file expects.
const dev = stackSettings("dev").settings;
const alerts = logRules(dev)
  .groups.flatMap((g) => g.rules)
  .filter((r): r is AlertingRule => "alert" in r);
const TEST_FILE = path.join(PROJECT_DIR, "alerts/tests/logs.test.yml");

const PROMTOOL = toolPath("promtool");

describeWithTools("promtool on the rendered logs.yml", [PROMTOOL], () => {
  let dir: string;
  let check: string;
  let unit: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "logs-rules-"));
    const file = renderRuleFiles(dev, placeholderSecrets()).find((f) => f.path === "prometheus/rules/logs.yml");
    if (!file) throw new Error("prometheus/rules/logs.yml was not rendered");
    fs.writeFileSync(path.join(dir, "logs.yml"), file.content);
    fs.copyFileSync(TEST_FILE, path.join(dir, "logs.test.yml"));
    // One run each for the whole file: promtool starts in about 100 ms, the cases run inside it.
    check = execFileSync(PROMTOOL, ["check", "rules", "logs.yml"], { cwd: dir, encoding: "utf8" });
    unit = execFileSync(PROMTOOL, ["test", "rules", "logs.test.yml"], { cwd: dir, encoding: "utf8" });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("accepts the rule file", () => {
    expect(check).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it("passes every test case", () => {
    expect(unit).toContain("SUCCESS");
  });
});

describe("the log pipeline alerts", () => {
  it("are registered in RULE_FILES and rendered as prometheus/rules/logs.yml", () => {
    expect(RULE_FILES).toContain(logRules);
    const rendered = renderRuleFiles(dev, placeholderSecrets()).find((f) => f.path === "prometheus/rules/logs.yml")!;
    // A subset match: the renderer may add fields to every rule in one pass (runbook_url, escalation).
    expect(YAML.parse(rendered.content)).toMatchObject(JSON.parse(JSON.stringify({ groups: logRules(dev).groups })));
  });

  it("are the expected ones", () => {
    expect(alerts.map((a) => a.alert)).toEqual([
      "LokiDown",
      "AlloyDown",
      "LokiIngestionFailing",
      "AlloyLogsDropped",
      "LokiDiscardingLogs",
    ]);
  });

  it.each(alerts.map((a) => [a.alert, a]))(
    "%s has for, severity, summary, a description with its value, its links, valid PromQL and no hand-written runbook_url",
    (name, rule) => {
      expect(rule.annotations.dashboard_url).toMatch(/^http:\/\/127\.0\.0\.1:(9090\/targets|3001\/explore\?)/);
      const logs = new URL(rule.annotations.logs_url);
      const logql = JSON.parse(logs.searchParams.get("panes")!).alert.queries[0].expr as string;
      assertValidLogql(logql, `${name} logs_url`);
      if (rule.annotations.dashboard_url.includes("/explore?")) {
        assertValidPromql(
          JSON.parse(new URL(rule.annotations.dashboard_url).searchParams.get("panes")!).alert.queries[0]
            .expr as string,
          `${name} dashboard_url`,
        );
      }
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(rule.labels.severity).toBe("warning");
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description).toContain("$value");
      expect(rule.annotations).not.toHaveProperty("runbook_url");
      expect(name).toMatch(/^(Loki|Alloy)[A-Z][A-Za-z]+$/);
      assertValidPromql(rule.expr, name);
    },
  );

  it.each(alerts.map((a) => [a.alert]))("%s has its runbook with checks, fixes and the escalation path", (name) => {
    const runbook = fs.readFileSync(path.join(PROJECT_DIR, "alerts/runbooks", `${name}.md`), "utf8");
    expect(runbook.startsWith(`# ${name}\n`)).toBe(true);
    for (const section of ["## What it means", "## Checks", "## Fixes", "## Escalation"])
      expect(runbook).toContain(section);
    for (const level of ["L1", "L2", "L3", "L4"]) expect(runbook).toContain(level);
  });

  it("each fires in a promtool test case", () => {
    const tests = YAML.parse(fs.readFileSync(TEST_FILE, "utf8")) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const firing = new Set(
      tests.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((c) => c.exp_alerts.length > 0).map((c) => c.alertname),
      ),
    );
    expect([...firing].sort()).toEqual(alerts.map((a) => a.alert).sort());
  });
});
