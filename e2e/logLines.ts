/**
 * Real log lines of each source the stack ships (in each source's own format, logs/formats.ts), stamped with the
 * current time, and the settings profile that makes a real Alloy read them from host files: shared by the Alloy
 * test (tests/logs.alloy.real.test.ts) and the logs benchmark (bench/logs.ts).
 */
import { LOG_JOBS, type LogJob } from "../contract/logs";
import { parseStackConfig, type Settings } from "../settings";
import type { JournalEntry } from "./journal";

/** The backend's and PostgreSQL's logs as host files, so their jobs have a source without a Docker engine. */
export const API_LOG = "/var/log/koprogo/api.log";
export const POSTGRES_LOG = "/var/log/postgresql/postgresql-15-main.log";

/**
 * The test profile: the settings' log defaults (no committed stack sets `alloy` or `loki`, so this is what prod
 * ships), environment `e2e`, Loki at `lokiAddress`, and the two extra host files.
 */
export function logsTestProfile(lokiAddress: string): Settings {
  return parseStackConfig(
    "e2e",
    {
      environment: "e2e",
      serviceAddresses: { loki: lokiAddress },
      alloy: { hostFiles: { api: API_LOG, postgres: POSTGRES_LOG } },
    },
    new Set(),
  ).settings;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
/** `2026-12-07 00:22:42,123` (fail2ban), `2026-12-07 00:22:42.123 UTC` (PostgreSQL's %m). */
function clock(date: Date): { iso: string; f2b: string; pg: string; syslog: string; suricata: string } {
  const d = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const t = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const ms = pad(date.getUTCMilliseconds(), 3);
  const month = date.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  return {
    iso: date.toISOString(),
    f2b: `${d} ${t},${ms}`,
    pg: `${d} ${t}.${ms} UTC`,
    syslog: `${month} ${String(date.getUTCDate()).padStart(2, " ")} ${t}`,
    suricata: `${d}T${t}.${ms}000+0000`,
  };
}

export interface FileSample {
  readonly file: string;
  readonly job: LogJob;
  readonly line: (marker: string, now: Date) => string;
  /** Stream labels besides job, environment and host. */
  readonly labels: Record<string, string>;
  /** Structured metadata the pipeline attaches (a subset is checked). */
  readonly metadata?: Record<string, string>;
}

const IP = "203.0.113.7";

/** One real line per host-file job, in each source's own format (logs/formats.ts). */
export function hostFileSamples(settings: Settings): FileSample[] {
  const file = (key: keyof Settings["alloy"]["hostFiles"]) => {
    const configured = settings.alloy.hostFiles[key];
    if (configured === null) throw new Error(`the test profile has no alloy.hostFiles.${key}`);
    return configured;
  };
  return [
    {
      file: file("api"),
      job: LOG_JOBS.api,
      line: (m, now) =>
        `${clock(now).iso}  INFO actix_web::middleware::logger: ${IP} "POST /api/v1/auth/login HTTP/1.1" 401 61 "-" "curl/8.5.0 ${m}" 1.504000`,
      labels: { level: "info", status_class: "4xx" },
    },
    {
      file: file("api"),
      job: LOG_JOBS.api,
      line: (m, now) => `${clock(now).iso} ERROR koprogo_api::db: ${m} connection refused`,
      labels: { level: "error" },
    },
    {
      file: file("postgres"),
      job: LOG_JOBS.postgres,
      line: (m, now) => `${clock(now).pg} [4242] ERROR:  relation "${m}" does not exist`,
      labels: { level: "error" },
    },
    {
      file: file("suricata"),
      job: LOG_JOBS.suricata,
      line: (m, now) =>
        JSON.stringify({
          timestamp: clock(now).suricata,
          flow_id: 1,
          event_type: "alert",
          src_ip: IP,
          dest_ip: "10.0.0.2",
          alert: {
            action: "allowed",
            signature_id: 2006446,
            signature: `ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT ${m}`,
            category: "Web Application Attack",
            severity: 1,
          },
        }),
      labels: { level: "warn" },
      metadata: { event_type: "alert", alert_category: "Web Application Attack", alert_severity: "1" },
    },
    {
      file: file("fail2ban"),
      job: LOG_JOBS.fail2ban,
      line: (m, now) => `${clock(now).f2b} fail2ban.actions        [812]: NOTICE  [sshd] Ban ${IP} ${m}`,
      labels: { level: "info" },
      metadata: { jail: "sshd", action: "Ban" },
    },
    {
      file: file("auth"),
      job: LOG_JOBS.auth,
      line: (m, now) =>
        `${clock(now).syslog} vps sshd[1234]: Failed password for invalid user ${m} from ${IP} port 52814 ssh2`,
      labels: { level: "warn" },
      metadata: { program: "sshd" },
    },
    {
      file: file("crowdsec"),
      job: LOG_JOBS.crowdsec,
      line: (m, now) => `time="${clock(now).iso}" level=warning msg="${m} ip ${IP} banned"`,
      labels: { level: "warn" },
    },
  ];
}

/** Journal entries: the first is shipped (unit and level from the journal), the next two are dropped by the pipeline. */
export const journalSamples = (marker: string): JournalEntry[] => [
  { message: `${marker} journal: container died`, unit: "docker.service", priority: 3 },
  { message: `${marker} journal: debug noise`, unit: "docker.service", priority: 7 },
  { message: `${marker} journal: sshd also in auth.log`, unit: "ssh.service", priority: 6 },
];
