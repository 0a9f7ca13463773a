/**
 * Named LogQL queries: the runbook's four, fixed for the real log formats (the backend writes plain text, not
 * JSON; PostgreSQL writes `SEVERITY:` lines, not logfmt), and the few an incident needs next. Dashboards and
 * runbooks use them by name; `logsQueryForJob` gives the query of the "logs around this alert" link
 * (`logsUrl` of `contract/links.ts` turns it into a Grafana Explore link).
 */
import { JOBS, type JobName } from "../contract/jobs";
import { ALL_LOG_JOBS, LOG_JOBS, LOG_LABELS, SERVICE_LOG_JOBS, type LogJob } from "../contract/logs";
import type { Settings } from "../settings";
import { BACKEND_FORMAT, FAIL2BAN_FORMAT, POSTGRES_FORMAT } from "./formats";
import { containsLine, eq, logQuery, matches, matchesLine, quotedString, regexpParser, streamSelector } from "./logql";

export interface NamedLogQuery {
  /** What a panel or a runbook calls it. */
  readonly title: string;
  /** What it answers, and how it differs from the runbook's version. */
  readonly description: string;
  readonly expr: string;
}

export const LOG_QUERY_NAMES = [
  "apiErrors",
  "apiSlowRequests",
  "apiLoginFailures",
  "databaseErrors",
  "traefikServerErrors",
  "suricataAlerts",
  "fail2banBans",
  "sshLoginFailures",
  "errorRateByJob",
  "logVolumeByJob",
  "activeStreams",
] as const;
export type LogQueryName = (typeof LOG_QUERY_NAMES)[number];

const job = (value: LogJob) => eq("job", value);
const LOGIN_PATH = "/api/v1/auth/login";

export function logQueries(settings: Pick<Settings, "alerts">): Record<LogQueryName, NamedLogQuery> {
  const slowSeconds = settings.alerts.thresholds.latencyP99Seconds;
  return {
    apiErrors: {
      title: "Backend errors",
      description:
        'Error lines and panics of the backend. Runbook: `|= "ERROR" | json`, but the backend logs plain text; this matches its ERROR level in text or JSON, and Rust panics (which carry no level).',
      expr: logQuery(
        streamSelector(job(LOG_JOBS.api)),
        matchesLine(String.raw`\sERROR\s|"level":"ERROR"|${BACKEND_FORMAT.panic}`),
      ),
    },
    apiSlowRequests: {
      title: "Slow backend requests",
      description: `Access lines of requests slower than ${slowSeconds}s (the SlowApi threshold). Runbook: \`| json | duration_ms > 1000\`; actix's access line ends with the duration in seconds, read by a regexp.`,
      expr: logQuery(
        streamSelector(job(LOG_JOBS.api)),
        containsLine(BACKEND_FORMAT.accessTarget),
        regexpParser(BACKEND_FORMAT.accessFields),
        `| duration > ${slowSeconds}`,
      ),
    },
    apiLoginFailures: {
      title: "Failed logins",
      description: `401 answers on ${LOGIN_PATH}. Runbook: \`|= "401" | json | path=...\`; this selects 4xx access lines by label, then the exact path and status from the line.`,
      expr: logQuery(
        streamSelector(job(LOG_JOBS.api), eq("status_class", "4xx")),
        containsLine(LOGIN_PATH),
        regexpParser(BACKEND_FORMAT.accessFields),
        `| path=${quotedString(LOGIN_PATH)} | status="401"`,
      ),
    },
    databaseErrors: {
      title: "Database errors",
      description:
        "PostgreSQL ERROR, FATAL and PANIC lines with severity, pid and message. Runbook: `| logfmt`, but PostgreSQL does not write logfmt.",
      expr: logQuery(
        streamSelector(job(LOG_JOBS.postgres)),
        matchesLine(POSTGRES_FORMAT.errorSeverities),
        regexpParser(POSTGRES_FORMAT.fields),
      ),
    },
    traefikServerErrors: {
      title: "5xx answers at the proxy",
      description:
        "Traefik access lines with a 5xx status: what users saw, including requests that never reached the backend.",
      expr: streamSelector(job(LOG_JOBS.traefik), eq("status_class", "5xx")),
    },
    suricataAlerts: {
      title: "Suricata alerts",
      description:
        "IDS alerts (SQL injection, XSS, path traversal, scans); category and signature are structured metadata.",
      expr: logQuery(streamSelector(job(LOG_JOBS.suricata)), '| event_type="alert"'),
    },
    fail2banBans: {
      title: "fail2ban bans",
      description: 'Bans by jail; the jail is structured metadata (`| jail="sshd"` narrows it).',
      expr: logQuery(streamSelector(job(LOG_JOBS.fail2ban)), containsLine(FAIL2BAN_FORMAT.ban)),
    },
    sshLoginFailures: {
      title: "SSH and sudo failures",
      description: "Failed passwords, invalid users and authentication failures from auth.log.",
      expr: streamSelector(job(LOG_JOBS.auth), eq("level", "warn")),
    },
    errorRateByJob: {
      title: "Error lines per job",
      description: "Error lines per second by job over 5 minutes: which service is complaining.",
      expr: `sum by (job) (rate(${streamSelector(matches("job", ".+"), eq("level", "error"))}[5m]))`,
    },
    logVolumeByJob: {
      title: "Log volume per job",
      description: "Bytes ingested per job over the last hour: what fills Loki's limits.",
      expr: `sum by (job) (bytes_over_time(${streamSelector(matches("job", ".+"))}[1h]))`,
    },
    activeStreams: {
      title: "Active streams",
      description:
        "Streams written in the last 5 minutes, against loki.limits.maxStreams: a jump means a label exploded.",
      expr: `count(count by (${LOG_LABELS.filter((l) => l !== "environment" && l !== "host").join(", ")}) (count_over_time(${streamSelector(matches("job", ".+"))}[5m])))`,
    },
  };
}

/** The log job that holds context for an alert's scrape job: the same name, except the host (`node`), whose story is in the journal. */
export function logJobForJob(jobName: JobName | LogJob): LogJob {
  if (jobName === JOBS.node) return LOG_JOBS.journal;
  // Containers the operator runs beside the application (cAdvisor, MinIO): Alloy ships them as any other container.
  if (jobName === JOBS.cadvisor || jobName === JOBS.minio) return LOG_JOBS.docker;
  // The probes' story is the blackbox exporter's own log.
  if (jobName === JOBS.probeHttp || jobName === JOBS.probeRefused) return SERVICE_LOG_JOBS.blackbox;
  if ((ALL_LOG_JOBS as readonly string[]).includes(jobName)) return jobName as LogJob;
  throw new Error(`job \`${jobName}\` has no logs in Loki (log jobs: ${ALL_LOG_JOBS.join(", ")})`);
}

/** The selector of a service's logs, for an alert's "logs around this alert" link. `minLevel` keeps only warnings and errors. */
export function logsQueryForJob(
  jobName: JobName | LogJob,
  options: { readonly minLevel?: "warn" | "error" } = {},
): string {
  const selected = job(logJobForJob(jobName));
  if (options.minLevel === "error") return streamSelector(selected, eq("level", "error"));
  if (options.minLevel === "warn") return streamSelector(selected, matches("level", "warn|error"));
  return streamSelector(selected);
}
