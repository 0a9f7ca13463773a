/**
 * The rule files as promtool sees them: `promtool check rules` on the dev and prod renders, and every
 * `alerts/tests/*.test.yml` run with `promtool test rules` against the rules of its request-metrics source
 * (`*.traefik.test.yml` against a Traefik render, the others against a backend render).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderInto, withRequestSource } from "../helpers/renderAlerts";
import { PROJECT_DIR, stackSettings } from "../helpers/stacks";
import { describeWithTools, run, toolPath } from "../helpers/tools";
import YAML from "yaml";
import { alertingRules, RULE_FILES } from "../../alerts";

const TESTS_DIR = path.join(PROJECT_DIR, "alerts/tests");
const PROMTOOL = toolPath("promtool");
const testFiles = fs.readdirSync(TESTS_DIR).filter((f) => f.endsWith(".test.yml"));

describeWithTools("the rule files under promtool", [PROMTOOL], () => {
  let tmp: string;
  const results = new Map<string, { status: number; output: string }>();

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "koprogo-rules-"));
    for (const stack of ["dev", "prod"]) {
      const dir = renderInto(path.join(tmp, stack), stackSettings(stack).settings);
      const rules = fs
        .readdirSync(path.join(dir, "prometheus/rules"))
        .map((f) => path.join(dir, "prometheus/rules", f));
      results.set(`check ${stack}`, run(PROMTOOL, ["check", "rules", ...rules]));
    }
    // Unit tests read the dev stack's rules (their expected links are the dev stack's) from each source.
    const dev = stackSettings("dev").settings;
    for (const source of ["backend", "traefik"] as const) {
      const rulesDir = path.join(
        renderInto(path.join(tmp, source), withRequestSource(dev, source)),
        "prometheus/rules",
      );
      const mine = testFiles.filter((f) => f.includes(".traefik.") === (source === "traefik"));
      for (const file of mine) fs.copyFileSync(path.join(TESTS_DIR, file), path.join(rulesDir, file));
      // Every unit test file in one run; the error-budget cases hold days of series (alerts/tests/slo*.test.yml).
      results.set(`test ${source}`, run(PROMTOOL, ["test", "rules", ...mine], { cwd: rulesDir, timeoutMs: 300_000 }));
    }
  }, 600_000);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(["dev", "prod"])("accepts every rule file of the %s stack", (stack) => {
    const { status, output } = results.get(`check ${stack}`)!;
    expect(output).not.toMatch(/FAILED|error/i);
    expect(status).toBe(0);
  });

  it.each(["backend", "traefik"])("passes every promtool unit test with request metrics from the %s", (source) => {
    const { status, output } = results.get(`test ${source}`)!;
    if (status !== 0) throw new Error(output);
    expect(output).toMatch(/SUCCESS/);
  });

  // The text on-call reads is proven as Prometheus renders it (a value printed as "1000m" would fail here), for
  // every alert: at least one case expects its firing alert with the full description.
  it("renders every alert's description in a promtool case, asserted in full", () => {
    interface Case {
      alert_rule_test?: { alertname: string; exp_alerts?: { exp_annotations?: { description?: string } }[] }[];
    }
    const described = new Set(
      testFiles.flatMap((file) =>
        ((YAML.parse(fs.readFileSync(path.join(TESTS_DIR, file), "utf8")) as { tests: Case[] }).tests ?? []).flatMap(
          (c) =>
            (c.alert_rule_test ?? [])
              .filter((t) =>
                (t.exp_alerts ?? []).some(
                  (a) =>
                    typeof a.exp_annotations?.description === "string" && !a.exp_annotations.description.includes("{{"),
                ),
              )
              .map((t) => t.alertname),
        ),
      ),
    );
    const missing = alertingRules(stackSettings("dev").settings)
      .map((rule) => rule.alert)
      .filter((alert) => !described.has(alert));
    expect(missing).toEqual([]);
  });

  it("has one promtool test file per rule file", () => {
    const names = RULE_FILES.map((build) => build(stackSettings("dev").settings).name);
    for (const name of names) expect(testFiles).toContain(`${name}.test.yml`);
  });
});
