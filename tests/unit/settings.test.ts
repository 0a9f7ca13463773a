import { containerMemoryLimits, loadStackFile, parseStackConfig } from "../../settings";
import { PROJECT_DIR } from "../helpers/stacks";
import { problemsOf } from "../helpers/configProblems";

const none = new Set<string>();

describe("stack config is refused before any resource, with the key path and the reason on one line", () => {
  it.each<[string, Record<string, unknown>, string]>([
    [
      "an impossible retention",
      { prometheus: { retention: "30x" } },
      'koprogo-observability:prometheus.retention: must be a positive duration like 30s, 5m, 12h or 30d (got "30x")',
    ],
    [
      "a port above 65535",
      { prometheus: { hostPort: 70000 } },
      "koprogo-observability:prometheus.hostPort: must be a port between 1 and 65535 (got 70000)",
    ],
    [
      "a threshold below zero",
      { alerts: { thresholds: { errorsPerSecond: -1 } } },
      "koprogo-observability:alerts.thresholds.errorsPerSecond: must be zero or more (got -1)",
    ],
    [
      "a ratio above one",
      { alerts: { thresholds: { diskFreeRatio: 10 } } },
      "koprogo-observability:alerts.thresholds.diskFreeRatio: must be between 0 and 1 (got 10)",
    ],
    [
      "an unknown receiver kind",
      { notifications: { chat: { kind: "teams" } } },
      "koprogo-observability:notifications.chat.kind:",
    ],
    ["an unknown top-level key", { prometeus: {} }, "koprogo-observability:prometeus: unknown key"],
    [
      "a misspelt nested key",
      { prometheus: { retentoin: "7d" } },
      "koprogo-observability:prometheus.retentoin: unknown key",
    ],
    [
      "a wildcard bind address",
      { docker: { bindAddress: "0.0.0.0" } },
      "koprogo-observability:docker.bindAddress: must not be a wildcard address",
    ],
    [
      "a Docker host that is no URL",
      { docker: { host: "my-vps" } },
      "koprogo-observability:docker.host: must be unix:///path, ssh://user@host or tcp://host:port",
    ],
    [
      "a target without a port",
      { targets: { api: { address: "koprogo-backend" } } },
      "koprogo-observability:targets.api.address: must be host:port",
    ],
    [
      "a memory limit in an unknown unit",
      { prometheus: { memory: "256 megs" } },
      "koprogo-observability:prometheus.memory: must be a memory size",
    ],
    [
      "containers over the memory budget",
      { prometheus: { memory: "1g" } },
      "koprogo-observability:docker.memoryBudget: the containers' memory limits add up to",
    ],
    ["an unknown environment", { environment: "qa" }, "koprogo-observability:environment:"],
    [
      "a webhook receiver without a URL",
      { notifications: { sms: { kind: "webhook" } } },
      "koprogo-observability:notifications.sms.url:",
    ],
    [
      "a secret written in clear",
      { slackWebhookUrl: "https://hooks.slack.com/x" },
      "koprogo-observability:slackWebhookUrl: is a secret: set it with `pulumi config set --secret slackWebhookUrl`",
    ],
    [
      "a node exporter listening on every interface",
      { nodeExporter: { listenAddress: "0.0.0.0" } },
      "koprogo-observability:nodeExporter.listenAddress: must not be 0.0.0.0",
    ],
  ])("refuses %s", (_case, values, expected) => {
    const problems = problemsOf(values);
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
    for (const problem of problems) expect(problem).not.toContain("\n");
  });

  it("refuses a prod stack that pages through Slack without its webhook secret", () => {
    expect(
      problemsOf({ notifications: { chat: { kind: "slack" } }, postgresExporter: { manageRole: true } }, "prod"),
    ).toEqual([
      "koprogo-observability:slackWebhookUrl: is required because notifications.chat.kind is slack: set it with `pulumi config set --secret slackWebhookUrl`",
      // Notifications on: the dead man's switch is on by default, and needs its ping URL.
      "koprogo-observability:watchdogHeartbeatUrl: is required because notifications.watchdog.kind is heartbeat (the default once chat, pager or SMS is on): set it with `pulumi config set --secret watchdogHeartbeatUrl`",
    ]);
  });

  it("refuses a prod stack that can neither create nor log in the monitoring role", () => {
    expect(
      problemsOf(
        { notifications: { watchdog: { kind: "heartbeat" } }, watchdogHeartbeatUrl: "<secure>" },
        "prod",
        new Set(["watchdogHeartbeatUrl"]),
      )[0],
    ).toMatch(/^koprogo-observability:postgresExporterPassword: is required because environment prod/);
  });

  it("lists every problem at once", () => {
    expect(problemsOf({ prometheus: { retention: "1x", hostPort: 0 }, bogus: 1 })).toHaveLength(3);
  });
});

describe("defaults", () => {
  const { settings } = parseStackConfig("dev", {}, none);

  it("takes the environment from the stack name", () => {
    expect(settings.environment).toBe("dev");
  });

  it("keeps 30 days of metrics and 7 days of logs", () => {
    expect(settings.prometheus.retention).toBe("30d");
    expect(settings.loki.retention).toBe("168h");
  });

  it("publishes ports on loopback only", () => {
    expect(settings.docker.bindAddress).toBe("127.0.0.1");
  });

  it("uses the brief's thresholds", () => {
    expect(settings.alerts.thresholds).toMatchObject({
      diskFreeRatio: 0.1,
      errorsPerSecond: 10,
      memoryAvailableBytes: 104857600,
      latencyP99Seconds: 1,
      cpuBusyRatio: 0.8,
      dbConnectionsRatio: 0.8,
    });
  });

  it("uses KoproGo's own rules' thresholds for their counterparts, and the SRE workbook's SLO defaults", () => {
    expect(settings.alerts.thresholds).toMatchObject({
      diskWarningFreeRatio: 0.2,
      loadPerCpu: 1.5,
      memoryAvailableWarningRatio: 0.15,
      containerMemoryRatio: 0.9,
      minioFreeRatio: 0.2,
      dbCacheHitRatio: 0.95,
      dbDeadTupleRatio: 0.2,
      certExpiryWarningDays: 14,
      certExpiryCriticalDays: 3,
    });
    expect(settings.alerts.slo).toEqual({ availability: 0.999, latency: { objective: 0.99 }, windowDays: 30 });
  });

  it("fits every container in the memory budget", () => {
    const total = containerMemoryLimits(settings).reduce((sum, l) => sum + l.bytes, 0);
    // The 1408 MiB budget less the host agents' 488 MiB (fail2ban, CrowdSec, its bouncer, Suricata).
    expect(total).toBeLessThanOrEqual((1408 - 488) * 1024 ** 2);
  });

  it("accepts a secret set with --secret without reading it", () => {
    const parsed = parseStackConfig(
      "dev",
      { metricsBearerToken: "<secure>", targets: { api: { bearerToken: true } } },
      new Set(["metricsBearerToken"]),
    );
    expect(parsed.secretNames).toEqual(["metricsBearerToken"]);
    expect(JSON.stringify(parsed.settings)).not.toContain("<secure>");
  });
});

describe.each(["dev", "prod"])("the committed %s stack file", (stack) => {
  it("parses with the schema", () => {
    expect(loadStackFile(stack, PROJECT_DIR).settings.environment).toBe(stack);
  });
});

test("prod joins the application's network and reads Traefik's request metrics", () => {
  const { settings, secretNames } = loadStackFile("prod", PROJECT_DIR);
  expect(settings.docker.network).toEqual({ name: "koprogo-network", external: true });
  expect(settings.alerts.requestMetricsSource).toBe("traefik");
  expect(secretNames).toEqual(
    expect.arrayContaining([
      "slackWebhookUrl",
      "pagerdutyRoutingKey",
      "smsWebhookToken",
      "metricsBearerToken",
      "postgresExporterPassword",
    ]),
  );
});
