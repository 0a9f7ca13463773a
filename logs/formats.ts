/**
 * The real log formats of each source, as RE2 regexes (Go syntax: `(?P<name>...)`). Alloy's pipeline and the
 * named LogQL queries both read them here, so a format is described once. Sample lines live in the tests.
 */

/** The backend: `tracing_subscriber::fmt()` default text, and actix-web's `Logger::default()` access lines. */
export const BACKEND_FORMAT = {
  /** `2025-11-20T10:15:30.123456Z  INFO koprogo_api::x: message` (level padded to five characters). */
  levelLine: String.raw`^\S+\s+(?P<level>TRACE|DEBUG|INFO|WARN|ERROR)\s`,
  /** The access log's tracing target. */
  accessTarget: "actix_web::middleware::logger",
  /**
   * `%a "%r" %s %b "%{Referer}i" "%{User-Agent}i" %T`: the path stops before the query string (which may carry
   * tokens), the duration is in seconds.
   */
  accessFields: String.raw`"(?P<method>[A-Z]+) (?P<path>[^ "?]*)[^"]*" (?P<status>[1-5][0-9]{2}) \S+ "[^"]*" "[^"]*" (?P<duration>[0-9.]+)\s*$`,
  /** The first digit of the access line's status. */
  accessStatusClass: String.raw`"[A-Z]+ [^"]*" (?P<status_class>[1-5])[0-9]{2} `,
  /** A JSON line (the planned structured format). */
  jsonLine: String.raw`^\{`,
  /** Rust panics are printed without a level. */
  panic: "panicked at",
} as const;

/** PostgreSQL's stderr with `log_line_prefix = '%m [%p] '` (the image's default; Debian's adds `user@db `). */
export const POSTGRES_FORMAT = {
  // After `%m [%p] ` the prefix may hold the client's address (`%h%q `, POSTGRES_LOG_LINE_PREFIX of
  // security/fail2ban.ts) and, in older setups, `user@db`: up to two words before the severity.
  levelLine: String.raw`^\S+ \S+ \S+ \[[0-9]+\] (?:\S+ ){0,2}?(?P<level>[A-Z]+[0-9]?):`,
  /** Severities that mean a failed statement or session. */
  errorSeverities: String.raw`(ERROR|FATAL|PANIC):`,
  fields: String.raw`^(?P<ts>\S+ \S+ \S+) \[(?P<pid>[0-9]+)\] (?:\S+ ){0,2}?(?P<severity>[A-Z]+[0-9]?):\s+(?P<message>.*)$`,
} as const;

/** Traefik: access log in Common Log Format (default) or JSON; its own log as logfmt (v2), console text (v3) or JSON. */
export const TRAEFIK_FORMAT = {
  accessLine: String.raw`^\S+ \S+ \S+ \[[^\]]+\] "`,
  accessStatusClass: String.raw`^\S+ \S+ \S+ \[[^\]]+\] "[^"]*" (?P<status_class>[1-5])[0-9]{2} `,
  jsonAccessLine: String.raw`"DownstreamStatus":`,
  consoleLine: String.raw`^\S+ (?P<level>DBG|INF|WRN|ERR|FTL|PNC) `,
} as const;

/** fail2ban: `2025-11-20 10:15:30,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 203.0.113.7`. */
export const FAIL2BAN_FORMAT = {
  levelLine: String.raw`^\S+ \S+ fail2ban\.\S+\s+\[[0-9]+\]: (?P<level>[A-Z]+)\s`,
  jailAction: String.raw`\]: [A-Z]+\s+\[(?P<jail>[^\]]+)\] (?P<action>Found|Ban|Unban|Restore Ban|Ignore) `,
  ban: "] Ban ",
} as const;

/** `/var/log/auth.log`: syslog lines with a classic (`Nov 20 10:15:30`) or ISO timestamp. */
export const AUTH_FORMAT = {
  program: String.raw`^(?:[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}|\S+) \S+ (?P<program>[^\s\[:]+)(?:\[[0-9]+\])?: `,
  failure: "Failed password|Invalid user|authentication failure|maximum authentication attempts",
} as const;

/** Suricata's eve.json: one JSON object a line. */
export const SURICATA_FORMAT = {
  alertLine: String.raw`"event_type":"alert"`,
  /** `2025-11-20T10:15:30.123456+0000` in Go's layout notation. */
  timestampLayout: "2006-01-02T15:04:05.999999-0700",
} as const;

/** Lines in logfmt with a `level=` key (Go services of the stack, CrowdSec, Traefik v2). */
export const LOGFMT_LEVEL = String.raw`(^|\s)level=`;

/**
 * Every source's severity words, folded into the contract's four levels. Matched case-insensitively against the
 * whole raw value; anything else (PostgreSQL's DETAIL, HINT...) loses its level rather than add a label value.
 */
export const LEVEL_ALIASES = {
  debug: ["trace", "debug", "debug1", "debug2", "debug3", "debug4", "debug5", "dbg"],
  info: ["info", "inf", "information", "informational", "notice", "log"],
  warn: ["warn", "warning", "wrn"],
  error: ["error", "err", "eror", "fatal", "ftl", "panic", "pnc", "crit", "critical", "alert", "emerg", "emergency"],
} as const;
