/**
 * Log stream labels in Loki, a contract between the log shipper (Alloy), the dashboards, the alert links and the
 * runbooks. Labels stay few and of low cardinality: never user ids, IPs or paths.
 */
import { JOBS } from "./jobs";

export const LOG_JOBS = {
  /** The backend container (plain-text lines today, JSON later). */
  api: "koprogo-api",
  /** The PostgreSQL container. */
  postgres: "postgresql",
  /** Traefik's access and error logs. */
  traefik: "traefik",
  /** Suricata's `/var/log/suricata/eve.json`. */
  suricata: "suricata",
  /** `/var/log/fail2ban.log`. */
  fail2ban: "fail2ban",
  /** `/var/log/auth.log` (sshd, sudo). */
  auth: "auth",
  /** The systemd journal (label `unit` names the unit). */
  journal: "systemd-journal",
  /** CrowdSec's agent log. */
  crowdsec: "crowdsec",
  /** Any other container of the Docker host (label `container` names it), e.g. the frontend or MinIO. */
  docker: "docker",
} as const;

/**
 * The stack's own services log under their scrape job name (`contract/jobs.ts`), so a `job` means the same
 * thing in Prometheus and in Loki.
 */
export const SERVICE_LOG_JOBS = {
  prometheus: JOBS.prometheus,
  alertmanager: JOBS.alertmanager,
  nodeExporter: JOBS.node,
  postgresExporter: JOBS.postgresExporter,
  loki: JOBS.loki,
  alloy: JOBS.alloy,
  grafana: JOBS.grafana,
  blackbox: "blackbox",
} as const;

export type LogJobKey = keyof typeof LOG_JOBS;
/** Every value the `job` label of a log stream may take. */
export type LogJob = (typeof LOG_JOBS)[LogJobKey] | (typeof SERVICE_LOG_JOBS)[keyof typeof SERVICE_LOG_JOBS];
export const ALL_LOG_JOBS: readonly LogJob[] = [
  ...new Set<LogJob>([...Object.values(LOG_JOBS), ...Object.values(SERVICE_LOG_JOBS)]),
];

/** The only labels a log stream may carry. */
export const LOG_LABELS = ["job", "container", "unit", "level", "status_class", "environment", "host"] as const;
export type LogLabel = (typeof LOG_LABELS)[number];

/** Values of the `level` label: every source's severities are folded into these four. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Values of the `status_class` label (HTTP access lines of the backend and Traefik). */
export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];
