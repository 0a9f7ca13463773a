/**
 * Log stream labels in Loki, a contract between the log shipper (Alloy), the dashboards, the alert links and the
 * runbooks. Labels stay few and of low cardinality: never user ids, IPs or paths.
 */
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
} as const;

/** The only labels a log stream may carry. */
export const LOG_LABELS = ["job", "container", "unit", "level", "status_class", "environment", "host"] as const;
