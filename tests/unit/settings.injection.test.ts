/**
 * Settings that cannot inject: every value that reaches a shell, a YAML/INI/Alloy file, a DSN, a PromQL/LogQL
 * selector or a Prometheus/Alertmanager template is refused when it carries syntax of one of them, and the
 * refusal names the key. Each key is tried with each payload an attacker (or a typo) would use.
 */
import { parseStackConfig, StackConfigError } from "../../settings";

const NS = "koprogo-observability";

/** Deep object for a dotted key path, e.g. `targets.postgres.database`. */
function at(keyPath: string, value: unknown): Record<string, unknown> {
  return keyPath
    .split(".")
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

function refusal(stack: string, values: Record<string, unknown>, secrets: ReadonlySet<string> = new Set()): string {
  try {
    parseStackConfig(stack, values, secrets);
  } catch (error) {
    if (error instanceof StackConfigError) return error.message;
    throw error;
  }
  return "(accepted)";
}

const SHELL = ["$(id)", "`id`", "a'b", 'a"b', "a\nb", "a;rm -rf /", "a b"];
const TEMPLATE = ["{{ $externalURL }}", '{{ query "up" }}'];

/** [key path, a valid value (accepted), payloads to refuse, what to build the bad value from]. */
const CASES: [string, string, readonly string[], (payload: string) => unknown][] = [
  [
    "alerts.grafanaUrl",
    "https://grafana.example.com",
    [...SHELL, ...TEMPLATE],
    (p) => `https://grafana.example.com/${p}`,
  ],
  [
    "alerts.runbookBaseUrl",
    "https://github.com/o/r/blob/main/runbooks",
    [...SHELL, ...TEMPLATE],
    (p) => `https://github.com/${p}`,
  ],
  [
    "prometheus.externalUrl",
    "https://prometheus.example.com",
    [...SHELL, ...TEMPLATE],
    (p) => `https://prometheus.example.com/${p}`,
  ],
  [
    "alertmanager.externalUrl",
    "https://alertmanager.example.com",
    [...SHELL, ...TEMPLATE],
    (p) => `https://alertmanager.example.com/${p}`,
  ],
  ["grafana.rootUrl", "http://127.0.0.1:3001/", [...SHELL, ...TEMPLATE], (p) => `http://127.0.0.1:3001/${p}`],
  ["grafana.apiUrl", "http://127.0.0.1:3001", [...SHELL, ...TEMPLATE], (p) => `http://127.0.0.1:3001/${p}`],
  [
    "targets.postgres.database",
    "koprogo_db",
    [...SHELL, "?host=elsewhere", "&host=elsewhere", "db/other", "db=x"],
    (p) => `koprogo_db${p}`,
  ],
  ["targets.api.metricsPath", "/metrics", [...SHELL, ...TEMPLATE, "?x=1"], (p) => `/metrics${p}`],
  ["postgresExporter.container", "koprogo-postgres", SHELL, (p) => `koprogo-postgres${p}`],
  ["postgresExporter.adminUser", "koprogo", [...SHELL, "?x"], (p) => `koprogo${p}`],
  ["alerts.traefikService", ".*backend.*", ["a\nb", ...TEMPLATE, "(?=x)", "(a)\\1"], (p) => `.*backend${p}`],
  ["docker.configRoot", "/opt/koprogo-observability", [...SHELL, "/../etc"], (p) => `/opt/koprogo${p}`],
  ["docker.host", "ssh://deploy@vps.example.com", [...SHELL, "?x"], (p) => `ssh://deploy@vps.example.com${p}`],
  ["alloy.hostFiles.auth", "/var/log/auth.log", [...SHELL, "/../../etc/shadow", "*.log"], (p) => `/var/log/auth${p}`],
  ["alloy.dockerSocket", "/var/run/docker.sock", SHELL, (p) => `/var/run/${p}docker.sock`],
];

describe.each(CASES)("%s", (key, valid, payloads, build) => {
  it(`accepts a plain value (${JSON.stringify(valid)})`, () => {
    const values = key === "grafana.apiUrl" || key === "grafana.rootUrl" ? at(key, valid) : at(key, valid);
    const message = refusal("dev", values);
    expect(message.includes(`${NS}:${key}`)).toBe(false);
  });

  it.each(payloads.map((p) => [JSON.stringify(p), p]))("refuses %s, naming the key", (_shown, payload) => {
    expect(() => parseStackConfig("dev", at(key, build(payload)), new Set())).toThrow(`${NS}:${key}`);
  });
});

describe("values that are lists", () => {
  it.each(["ProxyCommand=sh -c 'id'", "ProxyCommand=nc", "LocalCommand=id", "$(id)", "a\nb"])(
    "refuses the ssh option %j, naming docker.sshOpts",
    (option) => {
      expect(() => parseStackConfig("dev", { docker: { sshOpts: ["-o", option] } }, new Set())).toThrow(
        `${NS}:docker.sshOpts.1`,
      );
    },
  );

  it("accepts the prod stack's ssh options", () => {
    expect(() =>
      parseStackConfig(
        "dev",
        { docker: { sshOpts: ["-o", "StrictHostKeyChecking=yes", "-o", "ServerAliveInterval=30"] } },
        new Set(),
      ),
    ).not.toThrow();
  });

  it.each(["#alerts{{ .CommonLabels }}", "#a b", "alerts", '#a"b'])(
    "refuses the Slack channel %j (Alertmanager expands it as a template)",
    (channel) => {
      expect(
        refusal("dev", { notifications: { chat: { kind: "slack", channel } } }, new Set(["slackWebhookUrl"])),
      ).toContain(`${NS}:notifications.chat.channel`);
    },
  );

  it.each([...SHELL, ...TEMPLATE])("refuses a webhook URL with %j, naming the role's key", (payload) => {
    expect(
      refusal("dev", { notifications: { sms: { kind: "webhook", url: `https://sms.example/${payload}` } } }),
    ).toContain(`${NS}:notifications.sms.url`);
  });

  it.each([
    ["ssh.host", "vps.example.com;id"],
    ["ssh.host", "$(id)"],
    ["ssh.user", "deploy;id"],
    ["ssh.user", "Root User"],
  ])("refuses %s %j", (key, value) => {
    const [, field] = key.split(".");
    expect(refusal("dev", { ssh: { host: "vps.example.com", [field]: value } })).toContain(`${NS}:${key}`);
  });
});

describe("the exact injections of issue 13", () => {
  it("refuses a database name that re-targets the exporter's DSN", () => {
    expect(() =>
      parseStackConfig("dev", { targets: { postgres: { database: "koprogo_db?host=elsewhere" } } }, new Set()),
    ).toThrow(`${NS}:targets.postgres.database`);
  });

  it("refuses {{ }} in a URL that every annotation carries", () => {
    expect(() =>
      parseStackConfig("dev", { alerts: { runbookBaseUrl: "https://x.example/{{ $externalURL }}" } }, new Set()),
    ).toThrow(`${NS}:alerts.runbookBaseUrl: must not contain {{ or }}`);
  });
});

describe("the dead man's switch", () => {
  it.each(["prod", "staging"])("is refused off in %s, naming the key and what to set", (stack) => {
    expect(
      refusal(stack, { notifications: { watchdog: { kind: "disabled" } }, postgresExporter: { manageRole: true } }),
    ).toContain(
      `${NS}:notifications.watchdog: must not be disabled in ${stack}: set {kind: heartbeat} and the watchdogHeartbeatUrl secret`,
    );
  });

  it("is on by default as soon as a human is notified, and then needs its ping URL secret", () => {
    const values = { notifications: { chat: { kind: "webhook", url: "https://chat.example/hook" } } };
    expect(refusal("dev", values)).toContain(
      `${NS}:watchdogHeartbeatUrl: is required because notifications.watchdog.kind is heartbeat`,
    );
    expect(
      parseStackConfig("dev", { ...values, watchdogHeartbeatUrl: "<secure>" }, new Set(["watchdogHeartbeatUrl"]))
        .settings.notifications.watchdog,
    ).toEqual({ kind: "heartbeat" });
  });

  it("stays off where nobody is notified (dev's default)", () => {
    expect(parseStackConfig("dev", {}, new Set()).settings.notifications.watchdog).toEqual({ kind: "disabled" });
  });

  it.each(["prod", "staging"])("is a heartbeat in the committed Pulumi.%s.yaml, with its secret set", (stack) => {
    const { loadStackFile } = jest.requireActual<typeof import("../../settings")>("../../settings");
    const parsed = loadStackFile(stack, `${__dirname}/../..`);
    expect(parsed.settings.notifications.watchdog).toEqual({ kind: "heartbeat" });
    expect(parsed.secretNames).toContain("watchdogHeartbeatUrl");
  });
});

describe("CrowdSec's metrics address", () => {
  it("is the host's address on the monitoring network by default", () => {
    expect(parseStackConfig("dev", {}, new Set()).settings.security.crowdsec.metrics.listenAddress).toBe(
      "172.31.213.1",
    );
  });

  it("follows the monitoring subnet, and is refused anywhere else (the firewall rule lets only that subnet in)", () => {
    expect(refusal("dev", { docker: { monitoringSubnet: "10.77.0.0/24" } })).toContain(
      `${NS}:security.crowdsec.metrics.listenAddress: must be 10.77.0.1, the host's address on docker.monitoringSubnet`,
    );
    expect(() =>
      parseStackConfig(
        "dev",
        {
          docker: { monitoringSubnet: "10.77.0.0/24" },
          security: { crowdsec: { metrics: { listenAddress: "10.77.0.1" } } },
        },
        new Set(),
      ),
    ).not.toThrow();
    expect(refusal("dev", { security: { crowdsec: { metrics: { listenAddress: "172.17.0.1" } } } })).toContain(
      `${NS}:security.crowdsec.metrics.listenAddress`,
    );
  });
});

describe("Traefik's access log format where bans are taken on it", () => {
  it.each(["prod", "staging"])("refuses common in %s, saying why and what to set", (stack) => {
    const message = refusal(
      stack,
      {
        security: { logs: { traefikAccessFormat: "common" } },
        postgresExporter: { manageRole: true },
        notifications: { watchdog: { kind: "heartbeat" } },
        watchdogHeartbeatUrl: "<secure>",
      },
      new Set(["watchdogHeartbeatUrl"]),
    );
    expect(message).toContain(`${NS}:security.logs.traefikAccessFormat: must be json in ${stack}, not common:`);
    expect(message).toContain("written unescaped (Go decodes %0A in it)");
    expect(message).toContain("--accesslog.format=json");
  });

  it("takes json by default, and common still in dev (nothing bans there)", () => {
    expect(parseStackConfig("dev", {}, new Set()).settings.security.logs.traefikAccessFormat).toBe("json");
    expect(
      parseStackConfig("dev", { security: { logs: { traefikAccessFormat: "common" } } }, new Set()).settings.security
        .logs.traefikAccessFormat,
    ).toBe("common");
  });

  it.each(["prod", "staging", "scale"])("is json in the committed Pulumi.%s.yaml", (stack) => {
    const { loadStackFile } = jest.requireActual<typeof import("../../settings")>("../../settings");
    expect(loadStackFile(stack, `${__dirname}/../..`).settings.security.logs.traefikAccessFormat).toBe("json");
  });
});
