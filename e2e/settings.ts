/**
 * The e2e stack profile: `Settings` built through the same schema and loader as a real stack (`parseStackConfig`,
 * environment `e2e`), with every target and service address on the harness's loopback servers and notification
 * receivers of kind `webhook` pointing at the local receivers. Nothing is patched after rendering: the rendered
 * files are exactly what these settings produce.
 */
import { parseStackConfig, type Settings } from "../settings";
import type { ReceiverRole } from "./receivers";

/**
 * The intervals that decide how fast a fault becomes a notification. `tuned` is the e2e profile (and what the
 * benchmark recommends for prod); `projectDefaults` are the settings' defaults; `toolDefaults` are Prometheus's
 * and Alertmanager's own defaults (1m scrape and evaluation, 30s group_wait), the baseline of the benchmark.
 */
export interface NotificationTiming {
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** Raw `notifications` settings (group_wait and friends), as a stack file would set them. */
  readonly notifications: Record<string, unknown>;
}

export const TIMINGS = {
  tuned: {
    scrapeInterval: "1s",
    evaluationInterval: "1s",
    notifications: { groupWait: "5s", groupInterval: "5s", watchdogRepeatInterval: "20s" },
  },
  /** What a production stack can afford: 5× the samples of 15s scrapes, a notification within 1.1× of `for`. */
  prodTuned: { scrapeInterval: "3s", evaluationInterval: "2s", notifications: {} },
  projectDefaults: { scrapeInterval: "15s", evaluationInterval: "15s", notifications: {} },
  toolDefaults: {
    scrapeInterval: "1m",
    evaluationInterval: "1m",
    notifications: { groupWait: "30s", groupInterval: "5m" },
  },
} as const satisfies Record<string, NotificationTiming>;

/** Where the harness's servers listen (`host:port` on 127.0.0.1). */
export interface E2eAddresses {
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly nodeExporter: string;
  readonly postgresExporter: string;
  /** A stub `/metrics` for the services the e2e run does not start (Loki, Alloy, Grafana). */
  readonly stubTarget: string;
  readonly api: string;
  readonly postgres: string;
}

export interface E2eSettingsInput {
  readonly addresses: E2eAddresses;
  readonly receiverUrl: (role: ReceiverRole) => string;
  readonly timing?: NotificationTiming;
  /**
   * Extra raw config values merged over the profile (e.g. a benchmark variant); `serviceAddresses` is merged key
   * by key into the harness's (the benchmark's blackbox exporter adds its own).
   */
  readonly overrides?: Record<string, unknown>;
}

/** The database and role the e2e PostgreSQL cluster is created with, from the settings' defaults. */
export const E2E_POSTGRES_PASSWORD = "e2e-monitoring-password";

export function e2eConfigValues({
  addresses,
  receiverUrl,
  timing = TIMINGS.tuned,
  overrides = {},
}: E2eSettingsInput): Record<string, unknown> {
  const { serviceAddresses: extraAddresses, ...rest } = overrides;
  const webhook = (role: ReceiverRole) => ({ kind: "webhook", url: receiverUrl(role) });
  return {
    environment: "e2e",
    namePrefix: "koprogo-e2e",
    targets: {
      api: { address: addresses.api },
      postgres: { address: addresses.postgres, database: "koprogo_db", sslmode: "disable" },
      traefik: null,
      // No MinIO on the e2e machine (the default scrapes the application's koprogo-minio).
      minio: null,
    },
    prometheus: {
      scrapeInterval: timing.scrapeInterval,
      evaluationInterval: timing.evaluationInterval,
      externalUrl: `http://${addresses.prometheus}`,
    },
    alertmanager: { externalUrl: `http://${addresses.alertmanager}` },
    notifications: {
      chat: webhook("chat"),
      pager: webhook("pager"),
      sms: webhook("sms"),
      watchdog: webhook("watchdog"),
      ...timing.notifications,
    },
    serviceAddresses: {
      prometheus: addresses.prometheus,
      alertmanager: addresses.alertmanager,
      nodeExporter: addresses.nodeExporter,
      postgresExporter: addresses.postgresExporter,
      loki: addresses.stubTarget,
      alloy: addresses.stubTarget,
      grafana: addresses.stubTarget,
      ...(extraAddresses as Record<string, string> | undefined),
    },
    // Set as a secret, as a stack file would (`pulumi config set --secret`); its value is passed to the renderer.
    postgresExporterPassword: "<secure>",
    ...rest,
  };
}

export function e2eSettings(input: E2eSettingsInput): Settings {
  return parseStackConfig("e2e", e2eConfigValues(input), new Set(["postgresExporterPassword"])).settings;
}
