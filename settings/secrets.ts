/**
 * The stack's secrets. They are top-level config keys set with `pulumi config set --secret`, never part of the
 * typed settings: generators receive them as parameters, so the render CLI can pass placeholders instead.
 */
import { WEB_SECRET_NAMES, type WebHashName, type WebPasswordName } from "../contract/webAccess";
import type { Settings } from "./schema";

export const SECRET_NAMES = [
  /** Slack incoming-webhook URL for `#alerts`. Needed with `notifications.chat.kind: slack`; Alertmanager reads it from a file (`api_url_file`). */
  "slackWebhookUrl",
  /** PagerDuty Events API v2 routing (integration) key. Needed with `notifications.pager.kind: pagerduty`; read from a file (`routing_key_file`). */
  "pagerdutyRoutingKey",
  /** Bearer token of the SMS gateway's webhook. Needed when a webhook receiver names it in `tokenSecret`; read from a file (`credentials_file`). */
  "smsWebhookToken",
  /** Ping URL of the dead man's switch (healthchecks.io check, PagerDuty or Better Stack heartbeat). */
  "watchdogHeartbeatUrl",
  /** The backend's METRICS_AUTH_TOKEN, sent by Prometheus as `Authorization: Bearer`. Needed with `targets.api.bearerToken: true`; file `prometheus/secrets/metrics-bearer-token`. */
  "metricsBearerToken",
  /** MinIO's metrics token (`mc admin prometheus generate <alias>`), sent by Prometheus as `Authorization: Bearer`. Needed with `targets.minio.bearerToken: true`; file `prometheus/secrets/minio-metrics-token`. */
  "minioMetricsToken",
  /** Password of the PostgreSQL monitoring role; generated when absent. Needed in `staging`/`prod` unless `postgresExporter.manageRole`; the exporter reads it from a file (`DATA_SOURCE_PASS_FILE`). */
  "postgresExporterPassword",
  /** Grafana's admin password; generated when absent (`pulumi stack output --show-secrets grafanaAdminPassword`). Read from a file (`GF_SECURITY_ADMIN_PASSWORD__FILE`). */
  "grafanaAdminPassword",
  /** Private key for SSH to the host (commands); the SSH agent is used when absent. */
  "sshPrivateKey",
  /** Password of `prometheus.remoteWrite.username` at the long-term store. */
  "remoteWritePassword",
  /** Secret access key of `loki.storage.accessKeyId`. */
  "lokiS3SecretKey",
  /** PEM CA certificate Prometheus verifies the further hosts' exporters with; generated when absent. */
  "hostsTlsCaCert",
  /** PEM serving certificate of the further hosts' exporters (every host address as a SAN); generated. */
  "hostsTlsCert",
  /** Its PEM private key; generated. */
  "hostsTlsKey",
] as const;

export type SecretName = (typeof SECRET_NAMES)[number];

/**
 * Secrets the program generates and nobody sets: the logins of contract/webAccess.ts (a password per caller and
 * its bcrypt hash). They are not config keys: a stack file naming one is refused as an unknown key.
 */
export type GeneratedSecretName = WebPasswordName | WebHashName | LogGatewayPasswordName | LogGatewayHashName;

/** The log gateway login of one further host (its Alloy's password), and its bcrypt hash in the gateway's user file. */
export type LogGatewayPasswordName = `logGateway.${string}`;
export type LogGatewayHashName = `logGateway.${string}.bcrypt`;

export function logGatewayPasswordName(host: string): LogGatewayPasswordName {
  return `logGateway.${host}`;
}

export function logGatewayHashName(host: string): LogGatewayHashName {
  return `logGateway.${host}.bcrypt`;
}
export type AnySecretName = SecretName | GeneratedSecretName;

/** Every secret a generator may read: the config's and the generated ones. */
export const ALL_SECRET_NAMES: readonly AnySecretName[] = [...SECRET_NAMES, ...WEB_SECRET_NAMES];

/** Secret values by name, of whatever carrier the caller uses (`pulumi.Output<string>` or a placeholder string). */
export type Secrets<T> = Partial<Record<AnySecretName, T>>;

/**
 * What the render CLI writes where a bcrypt hash stands: a real bcrypt hash (cost 10) of the text
 * `<secret:placeholder>`, so that a rendered `web.yml` passes `promtool check web-config` like the deployed one.
 * It opens nothing: the deployed hashes are those of generated passwords.
 */
export const PLACEHOLDER_BCRYPT_HASH = "$2b$10$KAZDNAHuwlEr2wxzQVsP0e6OfhNyiSqlkoHw2u.fu9D8R1MGrtGLa";

export function isSecretName(key: string): key is SecretName {
  return (SECRET_NAMES as readonly string[]).includes(key);
}

/** The text the render CLI writes where a secret would stand. */
export function secretPlaceholder(name: AnySecretName): string {
  return name.endsWith(".bcrypt") ? PLACEHOLDER_BCRYPT_HASH : `<secret:${name}>`;
}

/** Every secret name of a stack: the fixed ones and the log gateway login of each further host. */
export function stackSecretNames(settings?: Pick<Settings, "hosts">): AnySecretName[] {
  const perHost = (settings?.hosts ?? []).flatMap((host) => [
    logGatewayPasswordName(host.name),
    logGatewayHashName(host.name),
  ]);
  return [...ALL_SECRET_NAMES, ...perHost];
}

/** Every secret as its placeholder, for rendering files without the Pulumi CLI (pass the settings for the per-host logins). */
export function placeholderSecrets(settings?: Pick<Settings, "hosts">): Record<AnySecretName, string> {
  return Object.fromEntries(stackSecretNames(settings).map((name) => [name, secretPlaceholder(name)])) as Record<
    AnySecretName,
    string
  >;
}

/** The secrets this configuration cannot work without, each with the setting that needs it. */
export function requiredSecrets(settings: Settings): { name: SecretName; because: string }[] {
  const required: { name: SecretName; because: string }[] = [];
  const { chat, pager, sms, watchdog } = settings.notifications;
  if (chat.kind === "slack") required.push({ name: "slackWebhookUrl", because: "notifications.chat.kind is slack" });
  if (pager.kind === "pagerduty")
    required.push({ name: "pagerdutyRoutingKey", because: "notifications.pager.kind is pagerduty" });
  if (watchdog.kind === "heartbeat") {
    required.push({
      name: "watchdogHeartbeatUrl",
      because: "notifications.watchdog.kind is heartbeat (the default once chat, pager or SMS is on)",
    });
  }
  for (const [role, receiver] of Object.entries({ chat, pager, sms, watchdog })) {
    if (receiver.kind === "webhook" && receiver.tokenSecret) {
      required.push({ name: receiver.tokenSecret, because: `notifications.${role}.tokenSecret names it` });
    }
  }
  if (settings.prometheus.remoteWrite?.username)
    required.push({ name: "remoteWritePassword", because: "prometheus.remoteWrite.username is set" });
  if (settings.loki.storage) required.push({ name: "lokiS3SecretKey", because: "loki.storage is set" });
  if (settings.targets.api.bearerToken)
    required.push({ name: "metricsBearerToken", because: "targets.api.bearerToken is true" });
  if (settings.targets.minio?.bearerToken)
    required.push({ name: "minioMetricsToken", because: "targets.minio.bearerToken is true" });
  if (settings.environment !== "dev" && !settings.postgresExporter.manageRole) {
    required.push({
      name: "postgresExporterPassword",
      because: `environment ${settings.environment} does not let the program create the monitoring role (postgresExporter.manageRole is false)`,
    });
  }
  return required;
}
