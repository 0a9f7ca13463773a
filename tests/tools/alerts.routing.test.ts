/**
 * The routing contract, proven with the real Alertmanager tools: `amtool check-config` on the rendered dev and
 * prod files (templates included), `amtool config routes test` for who is told what, and `amtool template
 * render` for what a notification says. Plus the generators alone.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { alertmanagerConfig, alertmanagerSecrets, INHIBIT_RULES, receiver } from "../../alertmanager/routing";
import { alertingRules } from "../../alerts";
import { logsUrlExpression } from "../../alertmanager/templates";
import { renderAll } from "../../stack/files";
import type { Settings } from "../../settings";
import { placeholderSecrets } from "../../settings";
import { renderInto } from "../helpers/renderAlerts";
import { stackSettings } from "../helpers/stacks";
import { toolPath } from "../../toolchain/cache";
import { describeWithTools, run } from "../helpers/tools";

const { settings: dev } = stackSettings("dev");
const { settings: prod } = stackSettings("prod");

/** Every receiver disabled: the config must stay valid and route the same way. */
const allDisabled: Settings = {
  ...prod,
  notifications: {
    ...prod.notifications,
    chat: { kind: "disabled" },
    pager: { kind: "disabled" },
    sms: { kind: "disabled" },
    watchdog: { kind: "disabled" },
  },
};
/** The dev profile of the issue: a local webhook for every role. */
const localWebhooks: Settings = {
  ...dev,
  notifications: {
    ...dev.notifications,
    chat: { kind: "webhook", url: "http://127.0.0.1:5001/chat" },
    pager: { kind: "webhook", url: "http://127.0.0.1:5001/pager" },
    sms: { kind: "webhook", url: "http://127.0.0.1:5001/sms", tokenSecret: "smsWebhookToken" },
    watchdog: { kind: "webhook", url: "https://hc-ping.com/uuid" },
  },
};

const PROFILES: Record<string, Settings> = { dev, prod, allDisabled, localWebhooks };

/** [case, labels, expected receivers in order]. */
const ROUTES: [string, string[], string][] = [
  [
    "a critical alert pages, texts and posts in chat",
    ["alertname=ApiDown", "severity=critical", "escalation=L2", "job=koprogo-api"],
    "pager,sms,chat",
  ],
  [
    "DiskFull, critical, pages, texts and posts in chat",
    ["alertname=DiskFull", "severity=critical", "instance=vps"],
    "pager,sms,chat",
  ],
  [
    "a warning goes to chat only",
    ["alertname=SlowApi", "severity=warning", "escalation=L1", "job=koprogo-api"],
    "chat",
  ],
  ["TargetDown, a warning, goes to chat only", ["alertname=TargetDown", "severity=warning", "job=loki"], "chat"],
  ["the Watchdog goes to the dead man's switch only", ["alertname=Watchdog", "severity=none"], "watchdog"],
  [
    "a security incident escalated to L4 pages even as a warning",
    ["alertname=SuricataSqlInjection", "severity=warning", "escalation=L4"],
    "pager,sms,chat",
  ],
  ["an info alert goes to chat", ["alertname=Something", "severity=info"], "chat"],
];

// The deployed amtool (0.28.1, tool cache): Debian 12's 0.25 does not know `url_file`, which the heartbeat uses.
const AMTOOL = toolPath("amtool");

describeWithTools("the Alertmanager configuration under amtool 0.28", [AMTOOL], () => {
  let tmp: string;
  const dirs = new Map<string, string>();

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "koprogo-am-"));
    for (const [name, settings] of Object.entries(PROFILES))
      dirs.set(name, path.join(renderInto(path.join(tmp, name), settings), "alertmanager"));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(Object.keys(PROFILES))("amtool check-config accepts the %s configuration and its templates", (name) => {
    const { status, output } = run(AMTOOL, ["check-config", "alertmanager.yml"], { cwd: dirs.get(name) });
    expect(output).toContain("1 templates");
    expect(output).not.toContain("FAILED");
    expect(status).toBe(0);
  });

  describe.each(Object.keys(PROFILES))("routing of the %s configuration", (name) => {
    it.each(ROUTES)("%s", (_, labels, receivers) => {
      const { status, output } = run(
        AMTOOL,
        ["config", "routes", "test", "--config.file=alertmanager.yml", `--verify.receivers=${receivers}`, ...labels],
        { cwd: dirs.get(name) },
      );
      if (status !== 0) throw new Error(`expected ${receivers}, amtool said: ${output}`);
      expect(output.split("\n")[0]).toBe(receivers);
    });
  });

  it("renders a Slack message with the summary, the value, and links to dashboard, logs from 30 minutes before the start, runbook and silence", () => {
    const data = {
      receiver: "chat",
      status: "firing",
      alerts: [
        {
          status: "firing",
          labels: { alertname: "HighErrorRate", severity: "critical", escalation: "L2", job: "koprogo-api" },
          annotations: {
            summary: "The API answers many requests with server errors.",
            description: "The API (koprogo-api) serves 12 server errors (5xx) per second, above 10/s.",
            dashboard_url: "https://grafana.example/d/api-overview",
            logs_url:
              "https://grafana.example/explore?schemaVersion=1&panes=%7B%22alert%22%3A%7B%22range%22%3A%7B%22from%22%3A%22now-1h%22%2C%22to%22%3A%22now%22%7D%7D%7D&orgId=1",
            runbook_url: "https://runbooks.example/HighErrorRate.md",
          },
          startsAt: "2026-11-25T12:00:00Z",
          endsAt: "0001-01-01T00:00:00Z",
          generatorURL: "http://prometheus/graph",
          fingerprint: "1",
        },
      ],
      groupLabels: { alertname: "HighErrorRate" },
      commonLabels: { alertname: "HighErrorRate", severity: "critical", job: "koprogo-api" },
      commonAnnotations: { summary: "The API answers many requests with server errors." },
      externalURL: "https://alertmanager.example",
    };
    const dataFile = path.join(tmp, "data.json");
    fs.writeFileSync(dataFile, JSON.stringify(data));
    const text = '{{ template "koprogo.title" . }}\n{{ template "koprogo.slack.text" . }}';
    const { status, output } = run(
      AMTOOL,
      [
        "template",
        "render",
        "--template.glob=templates/koprogo.tmpl",
        `--template.data=${dataFile}`,
        `--template.text=${text}`,
      ],
      { cwd: dirs.get("prod") },
    );
    expect(status).toBe(0);
    expect(output).toContain("[FIRING:1] HighErrorRate (critical)");
    expect(output).toContain("12 server errors (5xx) per second");
    expect(output).toContain("<https://grafana.example/d/api-overview|Dashboard>");
    // 11:30 UTC, 30 minutes before the alert started, in epoch milliseconds.
    expect(output).toContain(`%22from%22%3A%22${Date.UTC(2026, 10, 25, 11, 30)}%22%2C%22to%22%3A%22now%22`);
    expect(output).toContain("<https://runbooks.example/HighErrorRate.md|Runbook>");
    expect(output).toContain(
      "<https://alertmanager.example/#/silences/new?filter=%7Balertname%3D%22HighErrorRate%22%2Cjob%3D%22koprogo-api%22%2Cseverity%3D%22critical%22%7D|Silence>",
    );
    expect(output).toContain("post-mortem required");
  });
});

describe("the Alertmanager configuration generator", () => {
  const prodConfig = alertmanagerConfig(prod);

  it("does not let a critical page wait, and repeats critical and warning alerts at their own intervals", () => {
    const critical = prodConfig.route.routes.find(
      (r) => "matchers" in r && r.matchers[0] === 'severity="critical"',
    ) as { group_wait: string; repeat_interval: string };
    expect(critical.group_wait).toBe("0s");
    expect(critical.repeat_interval).toBe(prod.notifications.criticalRepeatInterval);
    expect(prodConfig.route.repeat_interval).toBe(prod.notifications.warningRepeatInterval);
  });

  it("pings the watchdog at its short repeat interval", () => {
    expect(prodConfig.route.routes[0]).toMatchObject({
      matchers: ['alertname="Watchdog"'],
      receiver: "watchdog",
      repeat_interval: "5m",
    });
  });

  it("sends resolved notifications on every integration but the heartbeat (a Watchdog never resolves while Prometheus runs)", () => {
    for (const r of alertmanagerConfig(localWebhooks).receivers.concat(prodConfig.receivers)) {
      for (const [key, configs] of Object.entries(r)) {
        if (key.endsWith("_configs"))
          for (const c of configs as { send_resolved: boolean; url_file?: string }[])
            expect(`${r.name}: ${c.send_resolved}`).toBe(
              `${r.name}: ${c.url_file?.endsWith("watchdog-heartbeat-url") ? false : true}`,
            );
      }
    }
  });

  /** Whether `labels` satisfy one matcher of the config (`name="value"` or `name=~"regex"`, anchored as Alertmanager does). */
  const matches = (matcher: string, labels: Record<string, string>): boolean => {
    const [, name, op, value] = /^(\w+)(=~|=)"(.*)"$/.exec(matcher)!;
    const actual = labels[name] ?? "";
    return op === "=" ? actual === value : new RegExp(`^(?:${value})$`).test(actual);
  };
  /** Whether the generator's inhibit rules hold `target` back while `source` fires. */
  const inhibits = (source: Record<string, string>, target: Record<string, string>): boolean =>
    prodConfig.inhibit_rules.some(
      (rule) =>
        rule.source_matchers.every((m) => matches(m, source)) &&
        rule.target_matchers.every((m) => matches(m, target)) &&
        rule.equal.every((label) => source[label] === target[label]),
    );

  it.each([
    ["dev", dev],
    ["prod", prod],
  ])("inhibits only alerts that the %s rules define (a renamed alert would silently escape)", (_, settings) => {
    const defined = new Set(alertingRules(settings).map((rule) => rule.alert));
    const named = INHIBIT_RULES.flatMap((rule) => [...rule.source_matchers, ...rule.target_matchers])
      .map((matcher) => /^alertname=~?"(.*)"$/.exec(matcher)?.[1])
      .flatMap((value) => (value === undefined ? [] : value.split("|")));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !defined.has(name))).toEqual([]);
  });

  it("holds back the API's latency, errors and target alerts while it is down, on the same job only", () => {
    const down = { alertname: "ApiDown", severity: "critical", job: "koprogo-api" };
    for (const alertname of ["SlowApi", "HighErrorRate", "TargetDown"])
      expect(inhibits(down, { alertname, severity: "warning", job: "koprogo-api" })).toBe(true);
    expect(inhibits(down, { alertname: "TargetDown", severity: "warning", job: "loki" })).toBe(false);
    expect(inhibits(down, { alertname: "DatabaseDown", severity: "critical", job: "postgres" })).toBe(false);
  });

  it("holds back the connection alert while the database is down, and a warning behind its own critical form", () => {
    const db = { job: "postgres", instance: "koprogo-postgres:5432" };
    expect(inhibits({ alertname: "DatabaseDown", ...db }, { alertname: "DatabaseConnectionsHigh", ...db })).toBe(true);
    const target = { alertname: "DiskFull", job: "node", instance: "vps" };
    expect(inhibits({ ...target, severity: "critical" }, { ...target, severity: "warning" })).toBe(true);
    expect(inhibits({ ...target, severity: "critical" }, { ...target, instance: "db-1", severity: "warning" })).toBe(
      false,
    );
    expect(inhibits({ ...target, severity: "critical" }, { alertname: "Watchdog", severity: "none" })).toBe(false);
  });

  it.each<[string, Parameters<typeof receiver>[1], object]>([
    [
      "slack reads its webhook URL from a file",
      { kind: "slack", channel: "#alerts" },
      {
        slack_configs: [
          expect.objectContaining({ api_url_file: "/etc/alertmanager/secrets/slack-webhook-url", channel: "#alerts" }),
        ],
      },
    ],
    [
      "pagerduty reads its routing key from a file",
      { kind: "pagerduty" },
      {
        pagerduty_configs: [
          expect.objectContaining({ routing_key_file: "/etc/alertmanager/secrets/pagerduty-routing-key" }),
        ],
      },
    ],
    [
      "a webhook sends its token from a file",
      { kind: "webhook", url: "https://sms.example/hook", tokenSecret: "smsWebhookToken" },
      {
        webhook_configs: [
          {
            url: "https://sms.example/hook",
            send_resolved: true,
            http_config: {
              authorization: { type: "Bearer", credentials_file: "/etc/alertmanager/secrets/sms-webhook-token" },
            },
          },
        ],
      },
    ],
    ["a disabled role has no integration", { kind: "disabled" }, {}],
    [
      "a heartbeat reads its ping URL from a file and sends no resolved ping",
      { kind: "heartbeat" },
      { webhook_configs: [{ url_file: "/etc/alertmanager/secrets/watchdog-heartbeat-url", send_resolved: false }] },
    ],
  ])("%s", (_, setting, expected) => {
    expect(receiver("chat", setting)).toEqual({ name: "chat", ...expected });
  });

  it("writes no secret in alertmanager.yml, and each needed secret in its own secret file", () => {
    const files = renderAll(prod, {
      ...placeholderSecrets(),
      slackWebhookUrl: "https://hooks.slack.com/services/SECRET",
    });
    const config = files.find((f) => f.path === "alertmanager/alertmanager.yml")!;
    expect(config.secret).toBeFalsy();
    expect(config.content).not.toContain("SECRET");
    const secretFiles = files.filter((f) => f.path.startsWith("alertmanager/secrets/"));
    // The receivers' secrets, the dead man's switch URL, and Alertmanager's own login (its healthcheck).
    expect(secretFiles.map((f) => f.path).sort()).toEqual([
      "alertmanager/secrets/pagerduty-routing-key",
      "alertmanager/secrets/slack-webhook-url",
      "alertmanager/secrets/sms-webhook-token",
      "alertmanager/secrets/watchdog-heartbeat-url",
      "alertmanager/secrets/web-alertmanager",
    ]);
    for (const file of secretFiles) expect(file.secret).toBe(true);
    expect(secretFiles.find((f) => f.path.endsWith("slack-webhook-url"))!.content).toBe(
      "https://hooks.slack.com/services/SECRET",
    );
  });

  it("needs no secret file when every role is disabled", () => {
    expect(alertmanagerSecrets(allDisabled)).toEqual([]);
  });

  it("builds the logs link from the alert's start", () => {
    expect(logsUrlExpression("")).toBe(
      'reReplaceAll "%22from%22%3A%22now-1h%22" (printf "%%22from%%22%%3A%%22%d%%22" (.StartsAt.Add -1800000000000).UnixMilli) .Annotations.logs_url',
    );
  });
});
