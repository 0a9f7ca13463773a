/**
 * The rendered `loki.yaml` on the Loki the stack deploys (3.5.3, built from its module into the tool cache):
 * `-verify-config` accepts every committed stack's file, and a real Loki started on the prod render takes a push,
 * answers it back (HTTP API and logcli), runs with the rendered retention, compactor and limits, and answers
 * queries without writing an error or warning line of its own (the deletion setting, logs/loki.ts).
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { lokiPushJson, lokiQueryRange, lokiStreams, startLoki, type RealLoki } from "../e2e/loki";
import { stopAll, waitFor } from "../e2e/processes";
import { toolPath } from "../toolchain/cache";
import { committedStacks, renderedFiles } from "./helpers/renderedStacks";
import { describeWithTools, run, tempDir } from "./helpers/tools";

const LOKI = toolPath("loki");
const LOGCLI = toolPath("logcli");

const prodLokiYaml = () => renderedFiles("prod", "loki/loki.yaml")[0].content;

/** Loki's own log lines at warn or error level (logfmt `level=`). */
const problemLines = (lines: readonly string[]) => lines.filter((l) => /(^|\s)level=(warn|error)(\s|$)/.test(l));

describeWithTools("loki -verify-config on every stack's loki.yaml", [LOKI], () => {
  const tmp = tempDir("loki-verify");
  afterAll(() => tmp.remove());

  it.each(committedStacks())("accepts the %s stack's file", (stack) => {
    for (const file of renderedFiles(stack, "loki/loki.yaml")) {
      const target = path.join(tmp.dir, stack, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, file.content);
      const result = run(LOKI, ["-verify-config", `-config.file=${target}`]);
      expect({ file: `${stack}:${file.path}`, ...result }).toMatchObject({ status: 0 });
      expect(result.output).toMatch(/config is valid/);
    }
  });

  it("refuses a file with a key Loki does not know (so the check is not a no-op)", () => {
    const config = YAML.parse(prodLokiYaml()) as Record<string, Record<string, unknown>>;
    config.limits_config.retention_perod = "168h";
    const target = path.join(tmp.dir, "typo.yaml");
    fs.writeFileSync(target, YAML.stringify(config));
    const result = run(LOKI, ["-verify-config", `-config.file=${target}`]);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/retention_perod/);
  });
});

describeWithTools("a real Loki on the prod stack's loki.yaml", [LOKI, LOGCLI], () => {
  const tmp = tempDir("loki-prod");
  let loki: RealLoki;
  const marker = `koprogo-real-loki-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    loki = await startLoki({ binary: LOKI, rendered: prodLokiYaml(), dir: tmp.dir });
  }, 120_000);

  afterAll(async () => {
    await stopAll();
    tmp.remove();
  });

  it("takes a push and answers it back through the HTTP API and logcli", async () => {
    await lokiPushJson(loki.url, [
      { labels: { job: "auth", level: "warn", host: "vps" }, lines: [`${marker} Failed password for root`] },
      { labels: { job: "koprogo-api", level: "info", host: "vps" }, lines: [`${marker} GET /health 200`] },
    ]);
    const streams = await waitFor(
      "the pushed lines",
      async () => {
        const found = await lokiStreams(loki.url, `{host="vps"} |= "${marker}"`);
        return found.length === 2 ? found : undefined;
      },
      30_000,
      500,
    );
    expect(streams.map((s) => s.stream.job).sort()).toEqual(["auth", "koprogo-api"]);
    expect(streams.find((s) => s.stream.job === "auth")?.values[0][1]).toBe(`${marker} Failed password for root`);

    const cli = run(LOGCLI, [
      "query",
      `--addr=${loki.url}`,
      "--since=1h",
      "--quiet",
      "--output=raw",
      `{job="auth"} |= "${marker}"`,
    ]);
    expect(cli.status).toBe(0);
    expect(cli.output.trim()).toBe(`${marker} Failed password for root`);
  });

  it("runs with the rendered retention, compactor and limits (its own /config)", async () => {
    const response = await fetch(`${loki.url}/config`);
    const effective = YAML.parse(await response.text());
    expect(effective.compactor).toMatchObject({
      retention_enabled: true,
      delete_request_store: "filesystem",
      compaction_interval: "10m",
      retention_delete_delay: "2h",
      retention_delete_worker_count: 10,
      working_directory: path.join(loki.dataDir, "compactor"),
    });
    expect(effective.limits_config).toMatchObject({
      retention_period: "1w",
      reject_old_samples: true,
      reject_old_samples_max_age: "1w",
      max_query_lookback: "1w",
      deletion_mode: "filter-only",
      allow_structured_metadata: true,
      discover_service_name: [],
    });
    expect(effective.schema_config.configs).toEqual([
      expect.objectContaining({ store: "tsdb", schema: "v13", object_store: "filesystem" }),
    ]);
  });

  it("refuses a line older than the retention, as the rendered reject_old_samples says", async () => {
    const eightDaysAgoNs = BigInt(Date.now() - 8 * 86_400_000) * 1_000_000n;
    const response = await fetch(`${loki.url}/loki/api/v1/push`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        streams: [{ stream: { job: "auth" }, values: [[String(eightDaysAgoNs), `${marker} too old`]] }],
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/too far behind|greater than max age|old/i);
  });

  it("runs the compactor, which applies retention", async () => {
    // The compactor compacts and applies retention at start, then every compaction_interval.
    const metric = await waitFor(
      "a successful retention run",
      async () => {
        const text = await (await fetch(`${loki.url}/metrics`)).text();
        const line = text
          .split("\n")
          .find((l) => l.startsWith("loki_compactor_apply_retention_last_successful_run_timestamp_seconds "));
        return line && Number(line.split(" ")[1]) > 0 ? line : undefined;
      },
      60_000,
      1000,
    );
    expect(metric).toBeDefined();
  }, 90_000);

  it("answers every kind of query without an error or warning line of its own", async () => {
    const before = loki.log().length;
    const range = await lokiQueryRange(loki.url, `{job=~".+"}`);
    expect(range.resultType).toBe("streams");
    const metric = await lokiQueryRange(loki.url, `sum by (job) (count_over_time({job=~".+"}[5m]))`);
    expect(metric.resultType).toBe("matrix");
    const now = Date.now() * 1e6;
    const start = now - 3_600_000 * 1e6;
    for (const pathAndQuery of [
      `/loki/api/v1/query?query=${encodeURIComponent('count_over_time({job="auth"}[5m])')}`,
      `/loki/api/v1/labels?start=${start}&end=${now}`,
      `/loki/api/v1/label/job/values?start=${start}&end=${now}`,
      `/loki/api/v1/series?match[]=${encodeURIComponent('{job=~".+"}')}&start=${start}&end=${now}`,
      `/loki/api/v1/index/stats?query=${encodeURIComponent('{job="auth"}')}&start=${start}&end=${now}`,
      `/loki/api/v1/index/volume?query=${encodeURIComponent('{job=~".+"}')}&start=${start}&end=${now}`,
    ]) {
      const response = await fetch(`${loki.url}${pathAndQuery}`);
      expect({ pathAndQuery, status: response.status }).toEqual({ pathAndQuery, status: 200 });
    }
    // Loki logs asynchronously to its stderr: give the last request's lines time to land.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(problemLines(loki.log().slice(before))).toEqual([]);
  });
});

describeWithTools("Loki 3.5 with deletion_mode: disabled (why logs/loki.ts does not set it)", [LOKI], () => {
  const tmp = tempDir("loki-deletion-disabled");
  afterAll(async () => {
    await stopAll();
    tmp.remove();
  });

  it("logs an error on every query: its query path asks the compactor for cache generation numbers", async () => {
    const config = YAML.parse(prodLokiYaml()) as { limits_config: Record<string, unknown> };
    config.limits_config.deletion_mode = "disabled";
    const loki = await startLoki({
      binary: LOKI,
      rendered: YAML.stringify(config),
      dir: tmp.dir,
      name: "loki-deletion-disabled",
    });
    const before = loki.log().length;
    for (let i = 0; i < 3; i++) await lokiQueryRange(loki.url, `{job="auth"}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const errors = problemLines(loki.log().slice(before)).filter((l) => /deletion is not available/.test(l));
    expect(errors.length).toBeGreaterThanOrEqual(3);
    await loki.stop();
  }, 120_000);
});
