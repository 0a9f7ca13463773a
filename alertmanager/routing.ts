/**
 * `alertmanager.yml` from `settings.notifications`: who is told what, how soon, how often.
 *
 * Four receivers, one per role, always present so the route tree never changes shape: `chat` (Slack `#alerts`,
 * L1), `pager` (PagerDuty, L2), `sms` (SMS gateway webhook) and `watchdog` (the dead man's switch). A role set to
 * `disabled` is a receiver without integrations: alerts routed to it go nowhere, and the config stays valid.
 *
 * Critical alerts fan out with `continue: true` child routes (pager, then sms, then chat) rather than one receiver
 * holding three integrations: each channel keeps its own receiver name, so `amtool config routes test` shows
 * exactly who is told, a failing integration is named in `alertmanager_notifications_failed_total`, and a role
 * can be disabled alone without touching the others.
 *
 * Secrets are referenced as files only (`api_url_file`, `routing_key_file`, `credentials_file`): this file holds
 * no secret and can be rendered and reviewed. A `webhook` receiver's URL is configuration (its token goes in
 * `Authorization: Bearer`); the dead man's switch `heartbeat` URL is itself the secret, read with `url_file`
 * (Alertmanager 0.26 and later: the deployed 0.28.1's amtool checks it).
 */
import { toYaml } from "../render/yaml";
import type { Settings } from "../settings";
import { ALERTMANAGER_PATHS, secretFilePath, type AlertmanagerSecret } from "./paths";

type NotificationSettings = Settings["notifications"];
type ReceiverSetting = NotificationSettings["chat" | "pager" | "sms" | "watchdog"];

export const RECEIVERS = { chat: "chat", pager: "pager", sms: "sms", watchdog: "watchdog" } as const;
export type ReceiverRole = keyof typeof RECEIVERS;

/** Labels that make one notification group: one alert on one target, so two broken things are two messages. */
export const GROUP_BY = ["alertname", "job", "instance"];

/** Alerts that page whatever their severity: security incidents and disaster recovery (brief, L4: the CTO). */
export const PAGE_MATCHERS: readonly string[][] = [['severity="critical"'], ['escalation="L4"']];

function webhookConfig(url: string, tokenSecret: "smsWebhookToken" | undefined) {
  return {
    url,
    send_resolved: true,
    ...(tokenSecret
      ? {
          http_config: { authorization: { type: "Bearer", credentials_file: secretFilePath(tokenSecret).inContainer } },
        }
      : {}),
  };
}

/** One receiver: its integrations from the role's setting, none when disabled. */
export function receiver(role: ReceiverRole, setting: ReceiverSetting): Record<string, unknown> {
  const name = RECEIVERS[role];
  switch (setting.kind) {
    case "disabled":
      return { name };
    case "webhook":
      return { name, webhook_configs: [webhookConfig(setting.url, setting.tokenSecret)] };
    case "heartbeat":
      // A ping per Watchdog notification; the URL is a secret (it would let anyone fake the heartbeat), read from
      // a file. No `resolved` ping: the Watchdog never resolves while Prometheus runs, and a dead Prometheus sends none.
      return {
        name,
        webhook_configs: [{ url_file: secretFilePath("watchdogHeartbeatUrl").inContainer, send_resolved: false }],
      };
    case "slack":
      return {
        name,
        slack_configs: [
          {
            api_url_file: secretFilePath("slackWebhookUrl").inContainer,
            channel: setting.channel,
            send_resolved: true,
            title: '{{ template "koprogo.title" . }}',
            text: '{{ template "koprogo.slack.text" . }}',
            color:
              '{{ if eq .Status "firing" }}{{ if eq .CommonLabels.severity "critical" }}danger{{ else }}warning{{ end }}{{ else }}good{{ end }}',
          },
        ],
      };
    case "pagerduty":
      return {
        name,
        pagerduty_configs: [
          {
            routing_key_file: secretFilePath("pagerdutyRoutingKey").inContainer,
            send_resolved: true,
            severity: '{{ if eq .CommonLabels.severity "critical" }}critical{{ else }}error{{ end }}',
            description: '{{ template "koprogo.pagerduty.description" . }}',
            details: {
              firing: '{{ template "koprogo.pagerduty.details" . }}',
              escalation: "{{ .CommonLabels.escalation }}",
            },
            links: [
              { href: "{{ .CommonAnnotations.runbook_url }}", text: "Runbook" },
              { href: "{{ .CommonAnnotations.dashboard_url }}", text: "Dashboard" },
            ],
          },
        ],
      };
  }
}

/** The routes that page: the same fan-out for critical alerts and for L4 escalations of any severity. */
function pagingRoute(matchers: string[], n: NotificationSettings) {
  return {
    matchers,
    // A page must not wait: the first notification goes out as soon as the alert arrives.
    group_wait: "0s",
    repeat_interval: n.criticalRepeatInterval,
    routes: [
      { receiver: RECEIVERS.pager, continue: true },
      { receiver: RECEIVERS.sms, continue: true },
      { receiver: RECEIVERS.chat },
    ],
  };
}

/**
 * What Alertmanager holds back while another alert fires: a target alert matching `target_matchers` is not sent
 * while a source alert matching `source_matchers` fires with the same values of the `equal` labels.
 */
export const INHIBIT_RULES: readonly {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal: readonly string[];
}[] = [
  // The API down explains its errors, its latency and its target being down: one page, not three.
  {
    source_matchers: ['alertname="ApiDown"'],
    target_matchers: ['alertname=~"SlowApi|HighErrorRate|TargetDown"'],
    equal: ["job"],
  },
  // No database, no connections to count.
  {
    source_matchers: ['alertname="DatabaseDown"'],
    target_matchers: ['alertname="DatabaseConnectionsHigh"'],
    equal: ["job", "instance"],
  },
  // The critical form of an alert silences its warning form on the same target.
  {
    source_matchers: ['severity="critical"'],
    target_matchers: ['severity="warning"'],
    equal: ["alertname", "job", "instance"],
  },
];

export function alertmanagerConfig(settings: Settings) {
  const n = settings.notifications;
  return {
    templates: [ALERTMANAGER_PATHS.templatesGlob],
    route: {
      // Anything no route below claims (warning, info) goes to chat only: L1.
      receiver: RECEIVERS.chat,
      group_by: GROUP_BY,
      group_wait: n.groupWait,
      group_interval: n.groupInterval,
      repeat_interval: n.warningRepeatInterval,
      routes: [
        // The dead man's switch: only the watchdog receiver, pinged often, never a human.
        {
          matchers: ['alertname="Watchdog"'],
          receiver: RECEIVERS.watchdog,
          group_wait: "0s",
          group_interval: "1m",
          repeat_interval: n.watchdogRepeatInterval,
        },
        ...PAGE_MATCHERS.map((matchers) => pagingRoute([...matchers], n)),
        { matchers: ['severity="warning"'], receiver: RECEIVERS.chat },
      ],
    },
    inhibit_rules: INHIBIT_RULES,
    receivers: [
      receiver("chat", n.chat),
      receiver("pager", n.pager),
      receiver("sms", n.sms),
      receiver("watchdog", n.watchdog),
    ],
  };
}

export function alertmanagerYaml(settings: Settings): string {
  return toYaml(alertmanagerConfig(settings));
}

/** The secrets the notification settings read from files, with the setting that needs each. */
export function alertmanagerSecrets(settings: Settings): AlertmanagerSecret[] {
  const n = settings.notifications;
  const needed = new Set<AlertmanagerSecret>();
  for (const setting of [n.chat, n.pager, n.sms, n.watchdog]) {
    if (setting.kind === "heartbeat") needed.add("watchdogHeartbeatUrl");
    if (setting.kind === "slack") needed.add("slackWebhookUrl");
    if (setting.kind === "pagerduty") needed.add("pagerdutyRoutingKey");
    if (setting.kind === "webhook" && setting.tokenSecret) needed.add(setting.tokenSecret);
  }
  return [...needed];
}
