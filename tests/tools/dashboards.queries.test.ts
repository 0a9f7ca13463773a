import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildDashboards } from "../../dashboards";
import { toYaml } from "../../render/yaml";
import { dashboardQueries } from "../helpers/dashboardQueries";
import { assertValidLogql, logqlErrors } from "../helpers/logql";
import { assertValidPromql, promqlErrors, withSampleVariables } from "../helpers/promql";
import { stackSettings } from "../helpers/stacks";
import { describeWithTools, toolPath } from "../helpers/tools";

// Both stacks, each distinct query once.
const all = ["dev", "prod"].flatMap((stack) =>
  buildDashboards(stackSettings(stack).settings).flatMap((b) => dashboardQueries(b.model)),
);
const queries = [...new Map(all.map((q) => [`${q.where}|${q.expr}`, q])).values()];
const promql = queries.filter((q) => q.language === "promql");
const logql = queries.filter((q) => q.language === "logql");

describe("the query helpers", () => {
  it("substitute Grafana's variables with sample values", () => {
    expect(withSampleVariables('rate(x{instance=~"$instance", db=~"${database}"}[$__rate_interval]) [$__range]')).toBe(
      'rate(x{instance=~".*", db=~".*"}[1m]) [6h]',
    );
  });

  it("report a PromQL error", () => {
    expect(promqlErrors("sum(rate(x[5m])")).not.toEqual([]);
    expect(() => assertValidPromql("histogram_quantile(0.99, sum by (le) rate(x[5m]))")).toThrow("is not valid PromQL");
  });

  it("report a LogQL error", () => {
    expect(logqlErrors('{job="api" |= "x"')).not.toEqual([]);
    expect(() => assertValidLogql('sum(count_over_time({job="api"} |= [5m]))')).toThrow("is not valid LogQL");
  });
});

describe("every dashboard query", () => {
  it("is found: PromQL and LogQL in every dashboard", () => {
    expect(promql.length).toBeGreaterThan(60);
    expect(logql.length).toBeGreaterThan(10);
  });

  it.each(promql.map((q) => [q.where, q.expr]))("PromQL parses: %s: %s", (_, expr) => {
    assertValidPromql(expr);
  });

  it.each(logql.map((q) => [q.where, q.expr]))("LogQL parses: %s: %s", (_, expr) => {
    assertValidLogql(expr);
  });
});

describeWithTools("every dashboard query under promtool", [toolPath("promtool")], () => {
  it("PromQL passes promtool's stricter checks (Prometheus's own parser)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-promql-"));
    try {
      const rules = [...new Set(promql.map((q) => withSampleVariables(q.expr)))].map((expr, i) => ({
        record: `dashboard:check_${i}:expr`,
        expr,
      }));
      const file = path.join(dir, "dashboards.yml");
      fs.writeFileSync(file, toYaml({ groups: [{ name: "dashboards", rules }] }));
      execFileSync(toolPath("promtool"), ["check", "rules", file], { stdio: "pipe" });
    } catch (error) {
      const { stdout, stderr, message } = error as { stdout?: Buffer; stderr?: Buffer; message: string };
      throw new Error(
        `promtool rejected a dashboard query: ${stdout?.toString() ?? ""}${stderr?.toString() ?? message}`,
        { cause: error },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
