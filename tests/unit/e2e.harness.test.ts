/**
 * The e2e harness and the exporter flag builders on their own (no server but a shell): the profile's settings,
 * the stand-in API's metrics, the dashboard query extraction, process groups and the receivers.
 */
import * as fs from "fs";
import YAML from "yaml";
import { BACKEND_METRICS, BUSINESS_METRICS } from "../../contract/backendMetrics";
import { dashboardQueries, metricNames, substituteVariables, withoutTopLevelFilter } from "../../e2e/dashboardQueries";
import { freePort, startProcess } from "../../e2e/processes";
import { Receivers } from "../../e2e/receivers";
import { e2eSettings, TIMINGS, type E2eAddresses } from "../../e2e/settings";
import { e2eSecrets } from "../../e2e/stack";
import { parseMode, StandInApi } from "../../e2e/standInApi";
import { NODE_METRIC_RELABEL, POSTGRES_METRIC_RELABEL } from "../../exporters/relabel";
import { DROP_SELF_MONITORING_DETAIL } from "../../prometheus/scrapeJobs";
import { renderAll } from "../../stack/files";
import { StackConfigError } from "../../settings";
import { replaceOwnSection, withOwnSection } from "../../bench/figures";
import { notifyGroups, parseBenchArguments } from "../../bench/run";
import { prometheusSizeBytes, projectedBytes } from "../../bench/cost";
import { stackSettings } from "../helpers/stacks";

const ADDRESSES: E2eAddresses = {
  prometheus: "127.0.0.1:19090",
  alertmanager: "127.0.0.1:19093",
  nodeExporter: "127.0.0.1:19100",
  postgresExporter: "127.0.0.1:19187",
  stubTarget: "127.0.0.1:19999",
  api: "127.0.0.1:18080",
  postgres: "127.0.0.1:15432",
};
const settings = e2eSettings({ addresses: ADDRESSES, receiverUrl: (role) => `http://127.0.0.1:19000/${role}` });

describe("the e2e profile", () => {
  const files = renderAll(settings, e2eSecrets());
  const prometheusYml = YAML.parse(files.find((f) => f.path === "prometheus/prometheus.yml")!.content) as {
    global: Record<string, string>;
    rule_files: string[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };

  it("is parsed by the settings schema as environment e2e, with the tuned intervals", () => {
    expect(settings.environment).toBe("e2e");
    expect(settings.prometheus.scrapeInterval).toBe(TIMINGS.tuned.scrapeInterval);
    expect(settings.notifications.pager).toEqual({ kind: "webhook", url: "http://127.0.0.1:19000/pager" });
  });

  it("parses the API's /metrics as the text format when it sends no valid Content-Type (Prometheus 3 would fail the scrape)", () => {
    const api = prometheusYml.scrape_configs.find((job) => job.job_name === "koprogo-api") as
      { fallback_scrape_protocol?: string } | undefined;
    expect(api?.fallback_scrape_protocol).toBe("PrometheusText0.0.4");
  });

  it("makes Prometheus scrape only loopback addresses, and reach Alertmanager on loopback", () => {
    const targets = prometheusYml.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets));
    expect(targets.every((t) => t.startsWith("127.0.0.1:"))).toBe(true);
    expect(prometheusYml.scrape_configs.map((j) => j.job_name)).toEqual(
      expect.arrayContaining(["koprogo-api", "postgresql", "node", "prometheus", "alertmanager"]),
    );
    expect(prometheusYml.alerting.alertmanagers[0].static_configs[0].targets).toEqual([ADDRESSES.alertmanager]);
  });

  it("renders rule paths relative to prometheus.yml, so the same files run in the container and natively", () => {
    const rendered = files.filter((f) => f.path.startsWith("prometheus/rules/")).map((f) => f.path.slice(11));
    expect(rendered.length).toBeGreaterThan(3);
    expect(prometheusYml.rule_files).toEqual(rendered);
  });

  it("refuses a bad override with the key path", () => {
    expect(() => e2eSettings({ addresses: ADDRESSES, receiverUrl: () => "ftp://nowhere", overrides: {} })).toThrow(
      "koprogo-observability:notifications.chat.url",
    );
    expect(() =>
      e2eSettings({
        addresses: ADDRESSES,
        receiverUrl: () => "http://127.0.0.1:1/",
        overrides: { prometheus: { scrapeInterval: "soon" } },
      }),
    ).toThrow(StackConfigError);
  });
});

describe("scrape relabelling of the exporters", () => {
  const { settings: prod } = stackSettings("prod");
  const prometheusYml = YAML.parse(
    renderAll(prod, e2eSecrets()).find((f) => f.path === "prometheus/prometheus.yml")!.content,
  ) as { scrape_configs: { job_name: string; metric_relabel_configs?: unknown[] }[] };
  const relabelOf = (job: string) =>
    prometheusYml.scrape_configs.find((j) => j.job_name === job)!.metric_relabel_configs;

  it("the postgresql and node jobs carry the exporters' relabelling", () => {
    expect(relabelOf("postgresql")).toEqual(POSTGRES_METRIC_RELABEL);
    expect(relabelOf("node")).toEqual(NODE_METRIC_RELABEL);
  });

  it("the prometheus and alertmanager jobs drop their internal histogram buckets", () => {
    for (const job of ["prometheus", "alertmanager"])
      expect(JSON.stringify(relabelOf(job))).toContain("(prometheus|alertmanager)_.+_bucket");
  });

  // Prometheus's relabel regexes are anchored at both ends (RE2, full match).
  const dropped = (rules: readonly Record<string, unknown>[], name: string) =>
    rules.some(
      (rule) =>
        rule.action === "drop" &&
        (rule.source_labels as string[] | undefined)?.join() === "__name__" &&
        new RegExp(`^(?:${rule.regex as string})$`).test(name),
    );

  it.each([
    ["prometheus_http_requests_total", true],
    ["prometheus_target_scrape_pool_symboltable_items", true],
    ["prometheus_target_metadata_cache_entries", true],
    ["prometheus_engine_query_duration_seconds", true],
    ["alertmanager_notification_requests_failed_total", true],
    ["alertmanager_notification_latency_seconds_sum", true],
    // What the self-monitoring alerts read stays.
    ["prometheus_notifications_dropped_total", false],
    ["prometheus_rule_evaluation_failures_total", false],
    ["prometheus_tsdb_compactions_failed_total", false],
    ["prometheus_config_last_reload_successful", false],
    ["alertmanager_notifications_failed_total", false],
    ["alertmanager_notifications_total", false],
    ["alertmanager_config_last_reload_successful", false],
  ])("the self-monitoring jobs drop %s: %s", (name, drop) => {
    expect(dropped(DROP_SELF_MONITORING_DETAIL, name)).toBe(drop);
  });

  it.each([
    ["pg_stat_statements_rows_total", true],
    ["pg_stat_statements_block_read_seconds_total", true],
    ["pg_stat_statements_seconds_total", false],
    ["pg_stat_statements_calls_total", false],
    ["pg_stat_activity_count", false],
  ])("the postgresql job drops %s: %s", (name, drop) => {
    expect(dropped(POSTGRES_METRIC_RELABEL, name)).toBe(drop);
  });
});

describe("the stand-in API", () => {
  it("exposes every backend and business metric of the contract, with its type", () => {
    const text = new StandInApi().metricsText();
    for (const metric of [...BACKEND_METRICS, ...BUSINESS_METRICS])
      expect(text).toContain(`# TYPE ${metric.name} ${metric.type}`);
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{method="GET",path="\/api\/v1\/buildings",le="\+Inf"\} 0$/m,
    );
    expect(text).toMatch(/^http_requests_errors_total\{status="500"\} 0$/m);
  });

  it("answers 5xx at the rate it is told", () => {
    const api = new StandInApi();
    api.setMode({ mode: "errors", errorsPerSecond: 20 });
    api.tick(1);
    api.tick(1);
    expect(api.metricsText()).toMatch(/^http_requests_errors_total\{status="500"\} 40$/m);
  });

  it("is slow when told: every request above 1 s", () => {
    const api = new StandInApi();
    api.setMode({ mode: "slow", latencySeconds: 2.5 });
    api.tick(10);
    const text = api.metricsText();
    const sum = (le: string) =>
      [
        ...text.matchAll(
          new RegExp(`^http_request_duration_seconds_bucket\\{[^}]*le="${le.replace("+", "\\+")}"\\} (\\d+)$`, "gm"),
        ),
      ].reduce((a, m) => a + Number(m[1]), 0);
    expect(sum("+Inf")).toBe(100);
    expect(sum("1")).toBe(0);
  });

  it("answers exactly the share of its traffic it is told with 5xx, counted as requests and as errors", () => {
    const api = new StandInApi();
    api.setMode({ mode: "failing", errorRatio: 0.02 });
    api.tick(100);
    const text = api.metricsText();
    const total = (status: string) =>
      [...text.matchAll(new RegExp(`^http_requests_total\\{[^}]*status="${status}"\\} (\\d+)$`, "gm"))].reduce(
        (a, m) => a + Number(m[1]),
        0,
      );
    expect(total("500")).toBe(20);
    expect(text).toMatch(/^http_requests_errors_total\{status="500"\} 20$/m);
    expect(total("200") + total("404") + total("500")).toBe(1000);
    expect(() => api.setMode({ mode: "failing", errorRatio: 1.5 })).toThrow(
      "errorRatio must be more than 0 and at most 1",
    );
  });

  it("refuses a mode it does not know, naming it", () => {
    expect(() => parseMode({ mode: "broken" })).toThrow('mode must be normal, errors, slow or failing (got "broken")');
    expect(() => new StandInApi().setMode({ mode: "errors", errorsPerSecond: 0 })).toThrow(
      "errorsPerSecond must be more than zero",
    );
  });
});

describe("dashboard queries", () => {
  it("replaces Grafana's variables: intervals by a duration, a variable matcher by any value", () => {
    expect(substituteVariables('rate(x{instance=~"$instance", job="node"}[$__rate_interval])')).toBe(
      'rate(x{instance=~".+", job="node"}[1m])',
    );
    expect(substituteVariables('x{path!="${endpoint}"}')).toBe('x{path!~"^$"}');
  });

  it("reads metric names through the PromQL grammar", () => {
    expect(metricNames('sum(rate(a_total{job="x"}[5m])) / on() group_left b + {__name__="c"}').sort()).toEqual([
      "a_total",
      "b",
      "c",
    ]);
  });

  it("unwraps a top-level filter against a number, not a comparison with bool", () => {
    expect(withoutTopLevelFilter("topk(5, x) > 1")).toBe("topk(5, x)");
    expect(withoutTopLevelFilter("1 < y")).toBe("y");
    expect(withoutTopLevelFilter("x > bool 1")).toBeUndefined();
    expect(withoutTopLevelFilter("x / y")).toBeUndefined();
    // A filter wrapped in what keeps it empty when it is empty: the slow-statements panel.
    expect(withoutTopLevelFilter("topk(20, (increase(a[1h]) / increase(b[1h])) > 1)")).toBe(
      "topk(20, (increase(a[1h]) / increase(b[1h])))",
    );
    expect(withoutTopLevelFilter("sort_desc((x > 0.5))")).toBe("sort_desc((x))");
    expect(withoutTopLevelFilter("topk(5, x)")).toBeUndefined();
    expect(withoutTopLevelFilter('label_replace(x > 1, "a", "$1", "b", "(.*)")')).toBeUndefined();
  });

  it("takes Prometheus targets from rows and nested panels, skips Loki, exempts sources the e2e stack does not run", () => {
    const dashboard = {
      uid: "d",
      panels: [
        { title: "a", targets: [{ expr: "up" }] },
        { title: "row", panels: [{ title: "b", targets: [{ expr: "sum(cs_active_decisions)" }] }] },
        { title: "logs", datasource: { type: "loki", uid: "loki" }, targets: [{ expr: '{job="x"}' }] },
      ],
    };
    const queries = dashboardQueries([{ path: "grafana/dashboards/d.json", content: JSON.stringify(dashboard) }]);
    expect(queries.map((q) => [q.panel, q.exempt])).toEqual([
      ["a", undefined],
      ["b", "CrowdSec does not run in the e2e stack"],
    ]);
  });
});

describe("process groups", () => {
  it("stopping a process stops what it forked", async () => {
    const logDir = fs.mkdtempSync("/tmp/koprogo-e2e-test-");
    try {
      const pidFile = `${logDir}/child.pid`;
      const shell = startProcess({
        name: "forker",
        command: "/bin/sh",
        args: ["-c", `sleep 300 & echo $! > ${pidFile}; wait`],
        logDir,
      });
      for (let i = 0; i < 50 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 20));
      const child = Number(fs.readFileSync(pidFile, "utf8"));
      await shell.stop(1000);
      await new Promise((r) => setTimeout(r, 100));
      // Gone, or a zombie waiting for init to reap it: either way no longer running.
      const state = fs.existsSync(`/proc/${child}/status`)
        ? /State:\s+(\S)/.exec(fs.readFileSync(`/proc/${child}/status`, "utf8"))?.[1]
        : "gone";
      expect(["gone", "Z", "X"]).toContain(state);
    } finally {
      fs.rmSync(logDir, { recursive: true, force: true });
    }
  });

  it("free ports are on loopback and distinct", async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    expect(ports.every((p) => p > 1024)).toBe(true);
    expect(new Set(ports).size).toBe(3);
  });
});

describe("receivers", () => {
  it("record every webhook request with its time, by role", async () => {
    const receivers = new Receivers();
    await receivers.start();
    try {
      const payload = {
        version: "4",
        status: "firing",
        receiver: "pager",
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        alerts: [{ status: "firing", labels: { alertname: "ApiDown" }, annotations: {}, startsAt: "", endsAt: "" }],
      };
      const response = await fetch(receivers.url("pager"), {
        method: "POST",
        body: JSON.stringify(payload),
        headers: { Authorization: "Bearer t" },
      });
      expect(response.status).toBe(200);
      expect(receivers.first("pager", "ApiDown")).toMatchObject({ role: "pager", authorization: "Bearer t" });
      expect(receivers.alertnamesByRole()).toEqual({ pager: ["ApiDown"], chat: [], sms: [], watchdog: [] });
      expect(receivers.lastSaysFiring("pager", "ApiDown")).toBe(true);
      const resolved = { ...payload, status: "resolved", alerts: [{ ...payload.alerts[0], status: "resolved" }] };
      expect((await fetch(receivers.url("pager"), { method: "POST", body: JSON.stringify(resolved) })).status).toBe(
        200,
      );
      // The last word about ApiDown at the pager is "resolved": a new firing would be a new notification.
      expect(receivers.lastSaysFiring("pager", "ApiDown")).toBe(false);
      expect(receivers.lastSaysFiring("chat", "ApiDown")).toBe(false);
      expect(
        (await fetch(receivers.url("pager").replace("/pager", "/nobody"), { method: "POST", body: "{}" })).status,
      ).toBe(404);
    } finally {
      await receivers.stop();
    }
  });
});

describe("bench arguments", () => {
  it("refuses what it does not know, naming it", () => {
    expect(parseBenchArguments(["--runs", "7"]).runs).toBe(7);
    expect(() => parseBenchArguments(["--runs", "0"])).toThrow("--runs must be a whole number of at least 1 (got 0)");
    expect(() => parseBenchArguments(["--only", "notify,speed"])).toThrow("unknown section speed");
    expect(() => parseBenchArguments(["--fast", "1"])).toThrow("unknown option --fast");
    expect(() => parseBenchArguments(["--profiles", "tuned,fast"])).toThrow("--profiles: unknown profile fast");
    expect(() => parseBenchArguments(["--alerts", "DiskFull"])).toThrow("--alerts: unknown alert DiskFull");
    expect(() => parseBenchArguments(["--cost-minutes", "0"])).toThrow(
      "--cost-minutes must be between 1 and 120 (got 0)",
    );
  });

  it("writes BENCHMARKS.md only from a full run; a partial one goes to --out or the temporary directory", () => {
    const full = parseBenchArguments([]);
    expect(full).toMatchObject({
      runs: 5,
      only: ["notify", "cost", "footprint", "queries", "hosts", "images", "slo", "probes"],
      alerts: ["ApiDown", "DatabaseDown", "HighErrorRate", "SlowApi"],
      costMinutes: 10,
      partial: false,
    });
    expect(full.out).toMatch(/BENCHMARKS\.md$/);
    expect(parseBenchArguments(["--out", "/tmp/b.md"])).toMatchObject({ partial: false, out: "/tmp/b.md" });
    const short = parseBenchArguments([
      "--runs",
      "1",
      "--profiles",
      "toolDefaults",
      "--alerts",
      "DatabaseDown",
      "--only",
      "notify",
    ]);
    expect(short).toMatchObject({
      runs: 1,
      profiles: ["toolDefaults"],
      alerts: ["DatabaseDown"],
      only: ["notify"],
      partial: true,
    });
    expect(short.out).not.toMatch(/BENCHMARKS\.md$/);
  });

  it("lets the SLO and probes runs replace only their own section of BENCHMARKS.md", () => {
    expect(parseBenchArguments(["--only", "slo", "--slo-minutes", "90"])).toMatchObject({
      only: ["slo"],
      sloMinutes: 90,
      partial: true,
      outGiven: false,
    });
    expect(() => parseBenchArguments(["--slo-minutes", "1"])).toThrow(
      "--slo-minutes must be between 2 and 240 (got 1)",
    );
    const report = `# Benchmarks\n\n${withOwnSection("slo", "## SLO paging\nold")}\n\n## Images\n`;
    expect(replaceOwnSection(report, "slo", withOwnSection("slo", "## SLO paging\nnew"))).toBe(
      report.replace("old", "new"),
    );
    expect(replaceOwnSection("# Benchmarks\n", "probes", withOwnSection("probes", "x"))).toBe(
      `# Benchmarks\n\n${withOwnSection("probes", "x")}\n`,
    );
  });

  it("keeps the notify groups (profiles run at once) restricted to the chosen profiles", () => {
    expect(notifyGroups(["tuned", "prodTuned", "projectDefaults", "toolDefaults"])).toEqual([
      ["toolDefaults", "projectDefaults"],
      ["tuned", "prodTuned"],
    ]);
    expect(notifyGroups(["prodTuned", "toolDefaults"])).toEqual([["toolDefaults"], ["prodTuned"]]);
    expect(notifyGroups(["tuned"])).toEqual([["tuned"]]);
  });

  it("times the prod stack's profile: prodTuned has Pulumi.prod.yaml's intervals", () => {
    const prod = stackSettings("prod").settings.prometheus;
    expect([TIMINGS.prodTuned.scrapeInterval, TIMINGS.prodTuned.evaluationInterval]).toEqual([
      prod.scrapeInterval,
      prod.evaluationInterval,
    ]);
  });
});

describe("the prod profile's cost", () => {
  it("reads Prometheus's sizes as powers of 1024 (its units.Base2Bytes) and refuses others", () => {
    expect(prometheusSizeBytes("8GB")).toBe(8 * 1024 ** 3);
    expect(prometheusSizeBytes("512MB")).toBe(512 * 1024 ** 2);
    expect(() => prometheusSizeBytes("8G")).toThrow('not a Prometheus size: "8G"');
  });

  it("projects a day as samples at the block's chunk bytes per sample plus twelve 2-hour indexes", () => {
    const cost = { samplesPerSecond: 100, block: { samples: 1000, chunkBytes: 1500, indexBytes: 10_000 } };
    expect(projectedBytes(cost, 1)).toBe(100 * 86_400 * 1.5 + 12 * 10_000);
    expect(projectedBytes(cost, 30)).toBe(30 * projectedBytes(cost, 1));
  });
});
