import { CONFIG_DIRS } from "../contract/configDirs";

/** Where Alertmanager finds its files inside its container (the host's `alertmanager/` directory is mounted there). */
export const ALERTMANAGER_PATHS = {
  configDir: CONFIG_DIRS.alertmanager.container,
  config: "/etc/alertmanager/alertmanager.yml",
  /** Relative to the config file, so `amtool check-config` on a rendered directory checks the real templates. */
  templatesGlob: "templates/*.tmpl",
  secretsDir: "/etc/alertmanager/secrets",
  data: "/alertmanager",
} as const;

/** Secret files, relative to the config root, and the path Alertmanager reads them at. */
export const ALERTMANAGER_SECRET_FILES = {
  slackWebhookUrl: "slack-webhook-url",
  pagerdutyRoutingKey: "pagerduty-routing-key",
  smsWebhookToken: "sms-webhook-token",
  watchdogHeartbeatUrl: "watchdog-heartbeat-url",
} as const;

export type AlertmanagerSecret = keyof typeof ALERTMANAGER_SECRET_FILES;

export function secretFilePath(secret: AlertmanagerSecret): { rendered: string; inContainer: string } {
  const file = ALERTMANAGER_SECRET_FILES[secret];
  return { rendered: `alertmanager/secrets/${file}`, inContainer: `${ALERTMANAGER_PATHS.secretsDir}/${file}` };
}
