/**
 * Parity with KoproGo's own alert rules: every alert of its rules file (the repository snapshot kept as a fixture)
 * has a counterpart among this stack's alerts, so moving from KoproGo's monitoring to this stack loses none.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { alertingRules } from "../../alerts";
import { UPSTREAM_COUNTERPARTS } from "../../alerts/upstreamCounterparts";
import { PROJECT_DIR, stackSettings } from "../helpers/stacks";

const FIXTURE = path.join(PROJECT_DIR, "tests/fixtures/koprogo/koprogo-alerts.yml");

/** The alert names of a Prometheus rule file. */
function upstreamAlerts(text: string): string[] {
  const file = YAML.parse(text) as { groups: { rules: { alert?: string }[] }[] };
  return file.groups.flatMap((group) => group.rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])));
}

describe("parity with KoproGo's own alert rules", () => {
  const upstream = upstreamAlerts(fs.readFileSync(FIXTURE, "utf8"));

  it("reads every alert of the fixture (19 in the 2026-05 snapshot)", () => {
    expect(upstream).toHaveLength(19);
    expect(upstream).toContain("BackupNotRunRecently");
  });

  it.each(["prod", "staging", "dev"])("has a counterpart for every upstream alert in the %s stack", (stack) => {
    const ours = new Set(alertingRules(stackSettings(stack).settings).map((rule) => rule.alert));
    const missing = upstream.flatMap((alert) => {
      const counterpart = UPSTREAM_COUNTERPARTS[alert];
      if (!counterpart) return [`${alert}: no entry in alerts/upstreamCounterparts.ts`];
      const absent = counterpart.alerts.filter((name) => !ours.has(name));
      return absent.length > 0 ? [`${alert}: ${absent.join(", ")} not defined`] : [];
    });
    expect(missing).toEqual([]);
  });

  it("names no upstream alert that the fixture does not have", () => {
    expect(Object.keys(UPSTREAM_COUNTERPARTS).filter((alert) => !upstream.includes(alert))).toEqual([]);
  });

  it("fails for an upstream alert without a counterpart", () => {
    const extra = `${fs.readFileSync(FIXTURE, "utf8")}\n      - alert: SomethingNew\n        expr: vector(1)\n`;
    expect(upstreamAlerts(extra).filter((alert) => !UPSTREAM_COUNTERPARTS[alert])).toEqual(["SomethingNew"]);
  });
});
