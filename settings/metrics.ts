/** Metrics collection: what Prometheus scrapes, how long it keeps it, and the exporters that feed it. */
import { z } from "zod";
import {
  dockerName,
  duration,
  hostPort,
  httpUrl,
  isIpv4,
  isPrivateAddress,
  memory,
  port,
  sqlIdentifier,
} from "./primitives";
import { alertmanagerClusterSettings, remoteWriteSettings } from "./scale";

/** A container service of the stack: its memory limit and, optionally, a host port published on `bindAddress`. */
function serviceSettings(defaults: { memory: string; hostPort: number | null }) {
  return z
    .object({
      /** Container memory limit (Docker notation). */
      memory: memory.default(defaults.memory),
      /** Port published on the host's `bindAddress`, or `null` to reach it only inside the Docker network. */
      hostPort: port.nullable().default(defaults.hostPort),
    })
    .strict();
}

export const targetSettings = z
  .object({
    /** The KoproGo backend's metrics endpoint (`host:port` inside the Docker network). */
    api: z
      .object({
        /** `host:port` of the backend on the shared Docker network. */
        address: hostPort.default("koprogo-backend:8080"),
        /** Path of the backend's metrics. */
        metricsPath: z
          .string()
          .regex(/^\/[A-Za-z0-9._~/-]*$/, "must be a path starting with / of letters, digits and . _ ~ - / only")
          .default("/metrics"),
        /** Scheme of the scrape. */
        scheme: z.enum(["http", "https"]).default("http"),
        /** Send `Authorization: Bearer <metricsBearerToken secret>` (the backend's METRICS_AUTH_TOKEN). */
        bearerToken: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** The application's PostgreSQL server. */
    postgres: z
      .object({
        /** `host:port` of PostgreSQL, for the exporter. */
        address: hostPort.default("koprogo-postgres:5432"),
        /** Pasted into the exporter's DSN (`host:port/<database>?sslmode=...`): a plain identifier only. */
        database: sqlIdentifier.default("koprogo_db"),
        /** libpq `sslmode` of the exporter's connection. */
        sslmode: z.enum(["disable", "require", "verify-ca", "verify-full"]).default("disable"),
        /** The role the exporter connects as (granted `pg_monitor`). */
        monitoringUser: z
          .string()
          .regex(/^[a-z_][a-z0-9_]*$/, "must be a lower-case PostgreSQL role name")
          .default("koprogo_monitoring"),
      })
      .strict()
      .prefault({}),
    /** Traefik's Prometheus endpoint, or `null` when no Traefik runs. */
    traefik: hostPort.nullable().default("koprogo-traefik:8080"),
    /**
     * A cAdvisor to scrape (`host:port` on the application's network) for the containers' memory against their
     * limits, restarts and OOM kills (`Container*` alerts), or `null`. KoproGo's own monitoring runs one
     * (`koprogo-cadvisor`); run it on `koprogo-network` with the flags of docs/operator/migrating.md. The stack does not
     * deploy cAdvisor itself: its main package is a Go sub-module with no published version, so it cannot be built
     * and tested here at a pinned version (docs/operator/migrating.md).
     */
    cadvisor: hostPort.nullable().default(null),
    /**
     * The application's MinIO (its object store), scraped at its cluster metrics (`/minio/v2/metrics/cluster`), or
     * `null` when none runs. MinIO asks for a bearer token there unless started with
     * `MINIO_PROMETHEUS_AUTH_TYPE=public`: `mc admin prometheus generate <alias>` prints one, set as the
     * `minioMetricsToken` secret with `bearerToken: true`.
     */
    minio: z
      .object({
        /** `host:port` of MinIO's S3 API on the application's network. */
        address: hostPort.default("koprogo-minio:9000"),
        /** Send `Authorization: Bearer <minioMetricsToken secret>`. */
        bearerToken: z.boolean().default(false),
      })
      .strict()
      .nullable()
      .default({ address: "koprogo-minio:9000", bearerToken: false }),
  })
  .strict();

export const prometheusSettings = serviceSettings({ memory: "256m", hostPort: 9090 })
  .extend({
    /** How long samples are kept. Defaults to `30d` (the runbook's 30 days). */
    retention: duration.default("30d"),
    /** Cap on the TSDB size so a burst of series cannot fill the disk (Prometheus notation, e.g. `8GB`). */
    retentionSize: z
      .string()
      .regex(/^\d+(B|KB|MB|GB|TB)$/, "must be a size like 8GB")
      .default("8GB"),
    /**
     * Scrape interval. Defaults to `15s`. At most 1/4 of the rules' shortest range window (`5m`, so `1m15s`):
     * `rate()` needs two samples in its window, and four scrapes per window keep two after a missed scrape.
     */
    scrapeInterval: duration.default("15s"),
    /**
     * Rule evaluation interval. Defaults to `15s`. At most the alerts' shortest `for` (`30s`): Prometheus checks
     * `for` only at evaluations, so a longer interval makes that alert late.
     */
    evaluationInterval: duration.default("15s"),
    /** Public URL Prometheus links use (alert `generatorURL`, the self-monitoring annotations). */
    externalUrl: httpUrl.optional(),
    /** Send every sample to a long-term store as well (VictoriaMetrics, Mimir, Thanos Receive); off by default. */
    remoteWrite: remoteWriteSettings.optional(),
    /** This Prometheus's replica name, an external label the store deduplicates on when two replicas write. */
    replica: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, "must be a short lower-case replica name like a or b")
      .optional(),
  })
  .strict();

export const alertmanagerSettings = serviceSettings({ memory: "48m", hostPort: 9093 })
  .extend({
    /** Public URL used in notification links to silences. */
    externalUrl: httpUrl.optional(),
    /** Two or three Alertmanagers in a gossip cluster, one per named host; absent: one Alertmanager. */
    cluster: alertmanagerClusterSettings.optional(),
  })
  .strict();

export const nodeExporterSettings = serviceSettings({ memory: "32m", hostPort: null })
  .extend({
    /**
     * Address the node exporter listens on. It runs in the host's network namespace (to report the host's own
     * interfaces), so it must not listen on a public address: the Docker bridge gateway is reachable from the
     * containers and not from the internet. Loopback or private (RFC 1918) only. Defaults to `172.17.0.1` (docker0).
     */
    listenAddress: z
      .string()
      .refine(isIpv4, "must be an IPv4 address (four parts, each 0 to 255), like the Docker bridge gateway 172.17.0.1")
      .refine(
        (v) => v !== "0.0.0.0",
        "must not be 0.0.0.0: the exporter would listen on every interface, public ones included",
      )
      .refine(
        (v) => !isIpv4(v) || v === "0.0.0.0" || isPrivateAddress(v),
        "must be a loopback (127.0.0.0/8) or private address (10/8, 172.16/12 such as the Docker bridge gateway 172.17.0.1, 192.168/16): the node exporter shares the host's network, and on a public address every host metric would be on the internet. Use docker0's address (`ip -4 addr show docker0`)",
      )
      .default("172.17.0.1"),
  })
  .strict();
export const postgresExporterSettings = serviceSettings({ memory: "48m", hostPort: null })
  .extend({
    /**
     * Create the monitoring role in the application's database (over `docker exec` into `container`) with the
     * generated password. Turn off when a DBA manages roles: then set the `postgresExporterPassword` secret.
     */
    manageRole: z.boolean().default(false),
    /** The application's PostgreSQL container, for `manageRole`. */
    container: dockerName.default("koprogo-postgres"),
    /** A superuser the role is created with, for `manageRole`. */
    adminUser: sqlIdentifier.default("koprogo"),
  })
  .strict();

export type TargetSettings = z.infer<typeof targetSettings>;
export type PrometheusSettings = z.infer<typeof prometheusSettings>;
export type AlertmanagerSettings = z.infer<typeof alertmanagerSettings>;
