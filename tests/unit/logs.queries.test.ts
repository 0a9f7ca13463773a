import * as fs from "fs";
import * as path from "path";
import { JOBS } from "../../contract/jobs";
import { ALL_LOG_JOBS, LOG_JOBS } from "../../contract/logs";
import { alloyConfig, alloyConfigText } from "../../logs/alloy";
import { pipelineSelectors } from "../helpers/alloyParser";
import { BACKEND_FORMAT, POSTGRES_FORMAT } from "../../logs/formats";
import {
  containsLine,
  escapeRegex,
  logQuery,
  matchesLine,
  patternString,
  quotedString,
  streamSelector,
  eq,
} from "../../logs/logql";
import { logsUrl } from "../../contract/links";
import { LOG_QUERY_NAMES, logJobForJob, logQueries, logsQueryForJob } from "../../logs/queries";
import { assertValidLogql, logqlProblems } from "../helpers/logql";
import { re2Groups } from "../helpers/re2";
import { stackSettings } from "../helpers/stacks";

const prod = stackSettings("prod").settings;
const dev = stackSettings("dev").settings;

describe("the LogQL helper", () => {
  it.each(['{job="x"} |= ', "{job=} ", "sum(", '{job="x"} | json |', "", '{job="x"} |~ "\\."'])(
    "reports %j as invalid",
    (query) => {
      expect(logqlProblems(query).length).toBeGreaterThan(0);
      expect(() => assertValidLogql(query, "the sample")).toThrow("the sample is not valid LogQL");
    },
  );
  it("accepts a valid query", () => {
    expect(() => assertValidLogql('{job="x"} |= "a" | logfmt | level="error"')).not.toThrow();
  });
});

describe("the named queries", () => {
  const queries = logQueries(prod);

  it("are all defined", () => {
    expect(Object.keys(queries).sort()).toEqual([...LOG_QUERY_NAMES].sort());
  });

  it.each(LOG_QUERY_NAMES.map((name) => [name]))("%s parses with Grafana's LogQL grammar", (name) => {
    assertValidLogql(queries[name].expr, name);
  });

  it("are the runbook's four, fixed for the real formats", () => {
    expect(queries.apiErrors.expr).toBe('{job="koprogo-api"} |~ `\\sERROR\\s|"level":"ERROR"|panicked at`');
    expect(queries.apiSlowRequests.expr).toBe(
      '{job="koprogo-api"} |= "actix_web::middleware::logger" | regexp `"(?P<method>[A-Z]+) (?P<path>[^ "?]*)[^"]*" (?P<status>[1-5][0-9]{2}) \\S+ "[^"]*" "[^"]*" (?P<duration>[0-9.]+)\\s*$` | duration > 1',
    );
    expect(queries.apiLoginFailures.expr).toBe(
      '{job="koprogo-api", status_class="4xx"} |= "/api/v1/auth/login" | regexp `"(?P<method>[A-Z]+) (?P<path>[^ "?]*)[^"]*" (?P<status>[1-5][0-9]{2}) \\S+ "[^"]*" "[^"]*" (?P<duration>[0-9.]+)\\s*$` | path="/api/v1/auth/login" | status="401"',
    );
    expect(queries.databaseErrors.expr).toBe(
      '{job="postgresql"} |~ `(ERROR|FATAL|PANIC):` | regexp `^(?P<ts>\\S+ \\S+ \\S+) \\[(?P<pid>[0-9]+)\\] (?:\\S+ ){0,2}?(?P<severity>[A-Z]+[0-9]?):\\s+(?P<message>.*)$`',
    );
  });

  it("use the SlowApi threshold of the stack", () => {
    const settings = { alerts: { ...prod.alerts, thresholds: { ...prod.alerts.thresholds, latencyP99Seconds: 2.5 } } };
    expect(logQueries(settings).apiSlowRequests.expr.endsWith("| duration > 2.5")).toBe(true);
  });

  it("read the fields of a real backend access line", () => {
    const line =
      '2025-11-20T10:15:31.000001Z  INFO actix_web::middleware::logger: 203.0.113.7 "POST /api/v1/auth/login?next=%2F HTTP/1.1" 401 61 "-" "curl/8.5.0" 1.204000';
    expect(line).toContain(BACKEND_FORMAT.accessTarget);
    expect(re2Groups(BACKEND_FORMAT.accessFields, line)).toEqual({
      method: "POST",
      path: "/api/v1/auth/login",
      status: "401",
      duration: "1.204000",
    });
    expect(
      re2Groups(String.raw`\sERROR\s|"level":"ERROR"|panicked at`, "2025-11-20T10:15:32Z ERROR koprogo_api: boom"),
    ).not.toBeNull();
  });

  it("read the fields of a real PostgreSQL error line", () => {
    const line = '2025-11-20 10:15:30.123 UTC [42] ERROR:  relation "x" does not exist at character 15';
    expect(re2Groups(POSTGRES_FORMAT.errorSeverities, line)).not.toBeNull();
    expect(re2Groups(POSTGRES_FORMAT.fields, line)).toEqual({
      ts: "2025-11-20 10:15:30.123 UTC",
      pid: "42",
      severity: "ERROR",
      message: 'relation "x" does not exist at character 15',
    });
    expect(
      re2Groups(POSTGRES_FORMAT.errorSeverities, "2025-11-20 10:15:30.123 UTC [1] LOG:  checkpoint starting: time"),
    ).toBeNull();
  });
});

describe("the pipeline's selectors", () => {
  it.each([
    ["dev", dev],
    ["prod", prod],
  ] as const)("every selector of the %s stack's config.alloy parses", (_, settings) => {
    const selectors = pipelineSelectors(alloyConfig(settings));
    expect(selectors.length).toBeGreaterThan(20);
    for (const selector of selectors) assertValidLogql(selector, `selector ${selector}`);
  });

  it("survive the Alloy string escaping unchanged", () => {
    const fromText = [...alloyConfigText(prod).matchAll(/^\s*selector = ("(?:[^"\\]|\\.)*")$/gm)].map(
      (m) => JSON.parse(m[1]) as string,
    );
    expect(fromText).toEqual(pipelineSelectors(alloyConfig(prod)));
  });
});

/** Scrape jobs whose logs are under another job: the operator's containers in `docker`, the probes in `blackbox`. */
const LOGS_ELSEWHERE: Readonly<Record<string, string>> = {
  [JOBS.cadvisor]: LOG_JOBS.docker,
  [JOBS.minio]: LOG_JOBS.docker,
  [JOBS.probeHttp]: "blackbox",
  [JOBS.probeRefused]: "blackbox",
};

describe("logs around an alert", () => {
  it.each(Object.entries(LOGS_ELSEWHERE))("sends scrape job %s to the logs of %s", (job, logJob) => {
    const query = logsQueryForJob(job as never);
    expect(query).toBe(`{job="${logJob}"}`);
    assertValidLogql(query);
  });

  it.each(
    Object.values(JOBS)
      .filter((j) => j !== JOBS.node && !(j in LOGS_ELSEWHERE))
      .map((j) => [j]),
  )("scrape job %s has its log selector", (job) => {
    const query = logsQueryForJob(job);
    expect(query).toBe(`{job="${job}"}`);
    assertValidLogql(query);
  });

  it("sends the host's alerts (job node) to the journal", () => {
    expect(logJobForJob(JOBS.node)).toBe(LOG_JOBS.journal);
    expect(logsQueryForJob(JOBS.node)).toBe('{job="systemd-journal"}');
  });

  // `node` is the node exporter's container and the host: an alert on the host reads the journal (tested above).
  it.each(ALL_LOG_JOBS.filter((j) => j !== JOBS.node).map((j) => [j]))(
    "log job %s selects itself, optionally warnings and errors only",
    (job) => {
      for (const query of [
        logsQueryForJob(job),
        logsQueryForJob(job, { minLevel: "warn" }),
        logsQueryForJob(job, { minLevel: "error" }),
      ])
        assertValidLogql(query);
      expect(logsQueryForJob(job, { minLevel: "warn" })).toBe(`{job="${job}", level=~"warn|error"}`);
      expect(logsQueryForJob(job, { minLevel: "error" })).toBe(`{job="${job}", level="error"}`);
    },
  );

  it("refuses a job without logs", () => {
    expect(() => logsQueryForJob("nosuchjob" as never)).toThrow("job `nosuchjob` has no logs in Loki");
  });

  it("becomes a Grafana Explore link on the Loki data source", () => {
    const url = logsUrl("https://grafana.koprogo.com/", logsQueryForJob(JOBS.api));
    expect(url.startsWith("https://grafana.koprogo.com/explore?schemaVersion=1&panes=")).toBe(true);
    expect(url.endsWith("&orgId=1")).toBe(true);
    const panes = JSON.parse(new URL(url).searchParams.get("panes")!);
    expect(panes).toEqual({
      alert: {
        datasource: "loki",
        queries: [
          { refId: "A", expr: '{job="koprogo-api"}', queryType: "range", datasource: { uid: "loki", type: "loki" } },
        ],
        range: { from: "now-1h", to: "now" },
      },
    });
    const ranged = JSON.parse(
      new URL(logsUrl("http://g", '{job="x"}', { from: "1763633700000", to: "1763637300000" })).searchParams.get(
        "panes",
      )!,
    );
    expect(ranged.alert.range).toEqual({ from: "1763633700000", to: "1763637300000" });
    expect(() => logsUrl("http://g", " ")).toThrow("needs a query");
  });
});

describe("the LogQL builders", () => {
  it("quote values and patterns safely", () => {
    expect(quotedString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(patternString(String.raw`^\S+ "x"`)).toBe('`^\\S+ "x"`');
    expect(patternString("has ` backtick")).toBe('"has ` backtick"');
    expect(escapeRegex("koprogo.api+v2")).toBe("koprogo\\.api\\+v2");
    const query = logQuery(streamSelector(eq("job", 'we"ird')), containsLine('say "hi"'), matchesLine("a`b"));
    expect(query).toBe('{job="we\\"ird"} |= "say \\"hi\\"" |~ "a`b"');
    assertValidLogql(query);
  });
  it("refuse an empty selector", () => {
    expect(() => streamSelector()).toThrow("at least one label matcher");
  });
});

describe("the logs documentation (docs/operator/logs.md)", () => {
  const readme = fs.readFileSync(path.join(__dirname, "../..", "docs", "operator", "logs.md"), "utf8");
  const block = /```logql\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";

  it("lists every named query as the program builds it (prod settings)", () => {
    for (const [name, query] of Object.entries(logQueries(prod)))
      expect(block).toContain(`# ${name}: ${query.title}\n${query.expr}\n`);
  });

  it("shows only valid LogQL in its logql block", () => {
    const lines = block.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
    expect(lines.length).toBe(LOG_QUERY_NAMES.length);
    for (const line of lines) assertValidLogql(line);
  });
});
