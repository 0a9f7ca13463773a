/**
 * fail2ban's files, as an overlay of `/etc/fail2ban`: one `jail.d` file with the runbook's jails, the filters
 * for the application's logs, and the action that bans in Docker's `DOCKER-USER` chain.
 *
 * Why `DOCKER-USER`: the API and PostgreSQL run in containers; traffic to a published container port is
 * DNAT-ed and forwarded, so it never crosses `INPUT`. Docker sends forwarded traffic through `DOCKER-USER` first
 * and leaves that chain to the administrator. sshd runs on the host, so its jail bans in `INPUT`.
 */
import { durationToMs, type Settings } from "../settings";
import { entries, interpolate, toIni, type IniSection } from "./ini";

/** Jail names, as the runbook names them: `fail2ban-client status <name>`. */
export const JAILS = { sshd: "sshd", apiAbuse: "api-abuse", postgresql: "postgresql" } as const;

/** Our filter and action files (`filter.d/<name>.conf`, `action.d/<name>.conf`). */
export const FAIL2BAN_FILES = {
  apiAbuseFilter: "koprogo-api-abuse",
  postgresqlFilter: "koprogo-postgresql",
  dockerUserAction: "koprogo-docker-user",
  jails: "koprogo",
} as const;

/** A python `re` literal for `text`. */
export function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function seconds(value: string): number {
  return Math.round(durationToMs(value) / 1000);
}

/**
 * `api-abuse`: every API request of one client counts, whatever its status: the jail limits the rate (100 per
 * minute), it does not judge the request. Traefik's common format starts with the client address; in JSON,
 * Traefik writes the keys in alphabetical order, so `ClientHost` comes before `RequestPath`.
 */
export function apiAbuseFilter(settings: Settings): string {
  const { traefikAccessFormat } = settings.security.logs;
  const prefix = regexEscape(settings.security.fail2ban.jails.apiAbuse.pathPrefix);
  const failregex =
    traefikAccessFormat === "common"
      ? `^<HOST> \\S+ \\S+ \\[[^\\]]*\\] "[A-Z]+ ${prefix}\\S* [^"]*" \\d{3} (?:\\d+|-)`
      : `^\\{.*"ClientHost":"<HOST>".*"RequestPath":"${prefix}[^"]*"`;
  return toIni(
    {
      comment: [`Counts ${traefikAccessFormat === "common" ? "Traefik common-format (CLF)" : "Traefik JSON"} access log lines of requests under ${settings.security.fail2ban.jails.apiAbuse.pathPrefix}. Generated: edit the stack config, not this file.`],
      sections: [
        {
          name: "Definition",
          entries: entries({
            failregex,
            ignoreregex: "",
            // CLF: `[25/Nov/2026:15:15:23 +0000]`; JSON: the last key, `time`, in seconds. Anchored so a date inside
            // a requested URL cannot be taken for the log time. fail2ban cuts the date out before the failregex
            // runs, hence the empty `[]` above.
            datepattern: traefikAccessFormat === "common" ? "^[^\\[]*\\[({DATE})" : '"time":"({DATE})"',
          }),
        },
      ],
    },
    "fail2ban",
  );
}

/**
 * The `log_line_prefix` the application's PostgreSQL must log with: `%h` is the client address. It is the
 * prefix CrowdSec's hub parser `crowdsecurity/pgsql-logs` expects, so both agents read the same file.
 */
export const POSTGRES_LOG_LINE_PREFIX = "%m [%p] %h%q %u@%d ";

/**
 * PostgreSQL authentication failures, with `log_line_prefix = POSTGRES_LOG_LINE_PREFIX`: `2026-11-25 15:15:23.123 UTC [812] 203.0.113.7 koprogo@koprogo_db FATAL:  password
 * authentication failed for user "koprogo"`. A wrong password, an unknown role (user enumeration) and a refused
 * `pg_hba.conf` entry all count; the last one also names the host in its message.
 */
export function postgresqlFilter(): string {
  const session = "^\\s*\\[\\d+\\] <HOST>(?:\\(\\d+\\))? \\S*@\\S* FATAL:  ";
  return toIni(
    {
      comment: [`PostgreSQL 15 authentication failures (log_line_prefix '${POSTGRES_LOG_LINE_PREFIX}'). Generated.`],
      sections: [
        {
          name: "Definition",
          entries: entries({
            failregex: [
              `${session}(?:password|md5|scram-sha-256) authentication failed for user "[^"]*"`,
              `${session}role "[^"]*" does not exist`,
              `^\\s*\\[\\d+\\] \\S+ \\S*@\\S* FATAL:  no pg_hba\\.conf entry for host "<HOST>"`,
            ],
            ignoreregex: "",
            // `%m` is `2026-11-25 15:15:23.123 UTC`: the zone is part of the date (fail2ban cuts the date out
            // before the failregex runs, so the regexes start at the `[pid]`).
            datepattern: "{^LN-BEG}%Y-%m-%d %H:%M:%S(?:\\.%f)? %Z",
          }),
        },
      ],
    },
    "fail2ban",
  );
}

/**
 * Bans in `DOCKER-USER` (all ports: the abuser is dropped before any container). Built on Debian's
 * `iptables.conf` so IPv6 (`ip6tables`) and the check/stop commands come with it. The chain is created when it
 * does not exist yet, so fail2ban starting before Docker does not lose its jails (Docker keeps an existing
 * `DOCKER-USER` and adds its jump from `FORWARD`).
 */
export function dockerUserAction(): string {
  return toIni(
    {
      comment: ["Ban in Docker's DOCKER-USER chain: traffic to published container ports never crosses INPUT. Generated."],
      sections: [
        { name: "INCLUDES", entries: entries({ before: "iptables.conf" }) },
        {
          name: "Definition",
          entries: entries({
            type: "allports",
            actionstart: ["<iptables> -n -L <chain> >/dev/null 2>&1 || <iptables> -N <chain>", interpolate("%(known/actionstart)s")],
          }),
        },
        { name: "Init", entries: entries({ chain: "DOCKER-USER", blocktype: "DROP" }) },
      ],
    },
    "fail2ban",
  );
}

function jailSection(name: string, jail: { enabled: boolean; maxRetry: number; findTime: string; banTime: string }, options: Record<string, string | number>): IniSection {
  return {
    name,
    entries: entries({
      enabled: jail.enabled,
      ...options,
      backend: "auto",
      maxretry: jail.maxRetry,
      findtime: seconds(jail.findTime),
      bantime: seconds(jail.banTime),
    }),
  };
}

/** `jail.d/koprogo.local`: the three jails. A `.local` file is read after every `.conf`, so it wins. */
export function jailsFile(settings: Settings): string {
  const { ignoreIp, logs, sshPort, fail2ban } = settings.security;
  const { sshd, apiAbuse, postgresql } = fail2ban.jails;
  const dockerUser = (jail: string) => `${FAIL2BAN_FILES.dockerUserAction}[name=${jail}]`;
  return toIni(
    {
      comment: ["KoproGo jails (runbook: sshd, api-abuse, postgresql). Generated by koprogo-observability: edit the stack config."],
      sections: [
        {
          name: "DEFAULT",
          comment: ["Never banned: loopback, the Docker networks, operators and the CI runner (security.ignoreIp)."],
          entries: entries({ ignoreip: ignoreIp.join(" ") }),
        },
        jailSection(JAILS.sshd, sshd, {
          filter: "sshd",
          port: sshPort,
          logpath: logs.auth,
          action: `iptables-multiport[name=${JAILS.sshd}, port="${sshPort}", protocol=tcp, chain=INPUT]`,
        }),
        jailSection(JAILS.apiAbuse, apiAbuse, { filter: FAIL2BAN_FILES.apiAbuseFilter, logpath: logs.traefikAccess, action: dockerUser(JAILS.apiAbuse) }),
        jailSection(JAILS.postgresql, postgresql, { filter: FAIL2BAN_FILES.postgresqlFilter, logpath: logs.postgres, action: dockerUser(JAILS.postgresql) }),
      ],
    },
    "fail2ban",
  );
}

/** The overlay of `/etc/fail2ban`, paths relative to it. */
export function fail2banOverlay(settings: Settings): { path: string; content: string }[] {
  return [
    { path: `jail.d/${FAIL2BAN_FILES.jails}.local`, content: jailsFile(settings) },
    { path: `filter.d/${FAIL2BAN_FILES.apiAbuseFilter}.conf`, content: apiAbuseFilter(settings) },
    { path: `filter.d/${FAIL2BAN_FILES.postgresqlFilter}.conf`, content: postgresqlFilter() },
    { path: `action.d/${FAIL2BAN_FILES.dockerUserAction}.conf`, content: dockerUserAction() },
  ];
}
