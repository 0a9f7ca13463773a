/**
 * fail2ban's files, as an overlay of `/etc/fail2ban`: one `jail.d` file with the runbook's jails, the filters
 * for the application's logs, and the actions that ban on every port, in Docker's `DOCKER-USER` chain and `INPUT`.
 * Checked with fail2ban 0.11.2 (deployed, Ubuntu 22.04), 1.0.2 and 1.1 (tests/security.fail2ban.*.test.ts).
 *
 * Why `DOCKER-USER`: the API and PostgreSQL run in containers; traffic to a published container port is
 * DNAT-ed and forwarded, so it never crosses `INPUT`. Docker sends forwarded traffic through `DOCKER-USER` first
 * and leaves that chain to the administrator. sshd runs on the host, so its jail bans in `INPUT` too.
 */
import { durationToMs, type Settings } from "../settings";
import { entries, interpolate, toIni, type IniSection } from "./ini";

/** Jail names, as the runbook names them: `fail2ban-client status <name>`. */
export const JAILS = { sshd: "sshd", apiAbuse: "api-abuse", postgresql: "postgresql" } as const;

/**
 * Our filter and action files (`filter.d/<name>.conf`, `action.d/<name>.conf`) and jail file (`jail.d/<name>.local`).
 * Named apart from KoproGo's Ansible roles, which install `filter.d/koprogo-api-abuse.conf` and `jail.d/koprogo.conf`
 * (a `jail.d/koprogo.local` would be read as the local override of theirs): security/coexist.ts.
 */
export const FAIL2BAN_FILES = {
  apiAbuseFilter: "koprogo-observability-api-abuse",
  postgresqlFilter: "koprogo-postgresql",
  allPortsAction: "koprogo-allports",
  dockerUserAction: "koprogo-docker-user",
  jails: "koprogo-observability",
} as const;

/** A python `re` literal for `text`. */
export function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

function seconds(value: string): number {
  return Math.round(durationToMs(value) / 1000);
}

/**
 * The router setting (`security.fail2ban.jails.apiAbuse.router`, validated in settings/security.ts: letters,
 * digits, `@ _ -`, `\.`, and the operators `. * + ? | ( )`) as a python `re` that can never match a `"`: `.`
 * becomes `[^"]`, so the pattern stays inside the quoted router field whatever the line holds.
 */
export function routerRegex(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      out += pattern.slice(i, i + 2);
      i++;
    } else if (c === ".") out += '[^"]';
    else if (c === "(") out += "(?:";
    else out += c;
  }
  return `(?:${out})`;
}

/**
 * `api-abuse`: every request of one client to the backend's Traefik router under the path prefix counts,
 * whatever its status: the jail limits the rate (100 per minute), it does not judge the request. Grafana's
 * `POST /api/ds/query` and the frontend go through other routers and never count.
 *
 * Behaviour relied on, read in Traefik's `pkg/middlewares/accesslog` (v2 and v3):
 * - CLF is `<ClientHost> - <ClientUsername> [<date>] "<method> <path> <proto>" <status> <size> "<Referer>"
 *   "<User-Agent>" <count> "<RouterName>" "<ServiceURL>" <ms>ms`. Referer and User-Agent are wrapped in quotes
 *   WITHOUT escaping, so a client can put `"` and a whole fake line in them: the regex anchors the client
 *   address at the start of the line and the router field from the end (the two fields after it are Traefik's).
 *   The path is Go's `url.URL.String()`, which escapes spaces and quotes; the method is any HTTP token (a flood
 *   with `M-SEARCH` counts too).
 *   The user name is `url.URL.User.Username()` of the request target, DECODED: `GET http://x%0A198.51.100.9%20-%20y@h/api/`
 *   writes `<peer> - x`, a newline, then `198.51.100.9 - y [<date>] "GET /api/..."`, a whole line with the address
 *   the client chose (measured with the real Traefik in the attack suite, `traefik-log-forgery`). So `staging` and
 *   `prod` refuse `common` (settings/security.ts `traefikAccessFormatProblem`); this variant is for `dev` only.
 * - JSON is logrus' `JSONFormatter` (Go's `encoding/json` of a map: keys in byte order, so `ClientAddr` is the
 *   first key of every line, and every string JSON-escaped, newlines included), so `"Key":"` can only be a real
 *   key and nothing a client sends comes before `ClientAddr`.
 * - The address is `ClientAddr`, the TCP peer (`req.RemoteAddr`, `ip:port` or `[ip6]:port`), not `ClientHost`,
 *   which is the `X-Forwarded-For` header when one reaches the access log (with `forwardedHeaders.trustedIPs` or
 *   `insecure`): the ban drops packets in `DOCKER-USER`, where only the peer can be dropped, and a header is text
 *   the client writes. CrowdSec's hub parser and our source guard read `ClientAddr` too.
 */
export function apiAbuseFilter(settings: Settings): string {
  const { traefikAccessFormat } = settings.security.logs;
  const { pathPrefix: rawPrefix, router: rawRouter } = settings.security.fail2ban.jails.apiAbuse;
  const prefix = regexEscape(rawPrefix);
  const router = routerRegex(rawRouter);
  const failregex =
    traefikAccessFormat === "common"
      ? `^<HOST> - \\S+ \\[[^\\]]*\\] "[^" ]+ ${prefix}\\S* [^"]*" \\d+ (?:\\d+|-) .* \\d+ "(?=[^"]*" "[^"]*" \\d+ms$)${router}" "[^"]*" \\d+ms$`
      : `^\\{"ClientAddr":"\\[?<HOST>\\]?:\\d+",.*"RequestPath":"${prefix}[^"]*".*"RouterName":"${router}"`;
  return toIni(
    {
      comment: [
        `Counts ${traefikAccessFormat === "common" ? "Traefik common-format (CLF)" : "Traefik JSON"} access log lines of requests under ${rawPrefix} routed by a router matching ${rawRouter}. Generated: edit the stack config, not this file.`,
      ],
      sections: [
        {
          name: "Definition",
          entries: entries({
            failregex,
            ignoreregex: "",
            // CLF: `[25/Nov/2026:15:15:23 +0000]`; JSON: the last key, `time`, in seconds. Anchored so a date inside
            // a requested URL cannot be taken for the log time, and so 0.11.2's date detector takes its anchored
            // path: its unanchored one indexes past the end of a line shorter than the one before (IndexError in
            // `matchTime`, measured; 1.x checks the length). fail2ban cuts the date out before the failregex runs,
            // hence the empty `[]` above.
            datepattern: traefikAccessFormat === "common" ? "^[^\\[]*\\[({DATE})" : '"time":"({DATE})"\\}$',
          }),
        },
      ],
    },
    "fail2ban",
  );
}

/**
 * The `log_line_prefix` the application's PostgreSQL must log with: `%h` is the client address (the real peer).
 * No `%u`, `%d` or `%a`: PostgreSQL 15 writes those client-chosen names into the prefix verbatim, newlines
 * included, so a user name `x\n2026-12-01 09:00:00 UTC [1] 198.51.100.9 a` forges a whole log line (measured with
 * PostgreSQL 15.20, tests/tools/security.injection.test.ts). Names only appear inside messages, where PostgreSQL puts a
 * tab after every newline (`append_with_tabs` in elog.c), so a forged line never starts at a line start.
 */
export const POSTGRES_LOG_LINE_PREFIX = "%m [%p] %h%q ";

/**
 * PostgreSQL authentication failures, with `log_line_prefix = POSTGRES_LOG_LINE_PREFIX`: `2026-11-25 15:15:23.123
 * UTC [812] 203.0.113.7 FATAL:  password authentication failed for user "koprogo"`. A wrong password, an unknown
 * role (user enumeration) and a refused `pg_hba.conf` entry all count.
 *
 * Log injection: a user name like `a@b FATAL:  no pg_hba.conf entry for host "198.51.100.9"` lands in the message.
 * So the address is ONLY ever the prefix's `%h`, right after `[%p]`, and the message must follow it directly:
 * nothing the client wrote stands between the two. The date must start the line (`^`; `{^LN-BEG}` would also
 * accept it after a tab, i.e. on a continuation line).
 */
export function postgresqlFilter(): string {
  const session = "^\\s*\\[\\d+\\] <HOST> FATAL:  ";
  return toIni(
    {
      comment: [
        `PostgreSQL 15 authentication failures (log_line_prefix '${POSTGRES_LOG_LINE_PREFIX}'), by the peer address of the prefix only. Generated.`,
      ],
      sections: [
        {
          name: "Definition",
          entries: entries({
            failregex: [
              `${session}(?:password|md5|scram-sha-256) authentication failed for user "`,
              `${session}role ".*" does not exist`,
              `${session}no pg_hba\\.conf entry for host "`,
            ],
            ignoreregex: "",
            // `%m` is `2026-11-25 15:15:23.123 UTC`: the zone is part of the date (fail2ban cuts the date out
            // before the failregex runs, so the regexes start at the `[pid]`).
            datepattern: "^%Y-%m-%d %H:%M:%S(?:\\.%f)? %Z",
          }),
        },
      ],
    },
    "fail2ban",
  );
}

/**
 * Bans on every port and protocol, built on the packaged `iptables-allports.conf`, which both lines ship with
 * different insides: in 0.11.2 it defines its own `actionstart` (`-I <chain> -p <protocol> -j f2b-<name>`, on top
 * of `iptables-common.conf`); in 1.x it is `iptables.conf` with `type = allports` (`iptables.conf` of 0.11.2 has
 * no `type` and always adds `--dport <port>`, i.e. port 22 when no port is given). `protocol = all` makes the jump
 * `-p all` in both (UDP too: HTTP/3 on 443); DROP in both families (the package's IPv6 default is a REJECT).
 */
export function allPortsAction(): string {
  return toIni(
    {
      comment: ["Ban on every port and protocol (packaged iptables-allports, fail2ban 0.11 and 1.x alike). Generated."],
      sections: [
        { name: "INCLUDES", entries: entries({ before: "iptables-allports.conf" }) },
        { name: "Init", entries: entries({ protocol: "all", blocktype: "DROP" }) },
        { name: "Init?family=inet6", entries: entries({ blocktype: "DROP" }) },
      ],
    },
    "fail2ban",
  );
}

/**
 * The same, in `DOCKER-USER` (the abuser is dropped before any container). The chain is created when it does
 * not exist yet, so fail2ban starting before Docker does not lose its jails: Docker (20.10+) keeps an existing
 * `DOCKER-USER`, appends its `-j RETURN` and inserts `-j DOCKER-USER` at the top of `FORWARD`.
 */
export function dockerUserAction(): string {
  return toIni(
    {
      comment: [
        "Ban in Docker's DOCKER-USER chain: traffic to published container ports never crosses INPUT. Generated.",
      ],
      sections: [
        { name: "INCLUDES", entries: entries({ before: `${FAIL2BAN_FILES.allPortsAction}.conf` }) },
        {
          name: "Definition",
          entries: entries({
            actionstart: [
              "<iptables> -n -L <chain> >/dev/null 2>&1 || <iptables> -N <chain>",
              interpolate("%(known/actionstart)s"),
            ],
          }),
        },
        { name: "Init", entries: entries({ chain: "DOCKER-USER" }) },
      ],
    },
    "fail2ban",
  );
}

function jailSection(
  name: string,
  jail: { enabled: boolean; maxRetry: number; findTime: string; banTime: string },
  ignoreIp: readonly string[],
  options: Record<string, string | readonly string[]>,
): IniSection {
  return {
    name,
    entries: entries({
      enabled: jail.enabled,
      // In each jail, not in `[DEFAULT]`: this file is read after the operator's, so a `[DEFAULT]` here would
      // replace their `ignoreip` for their jails too.
      ignoreip: ignoreIp.join(" "),
      ...options,
      backend: "auto",
      maxretry: jail.maxRetry,
      findtime: seconds(jail.findTime),
      bantime: seconds(jail.banTime),
    }),
  };
}

/**
 * `jail.d/koprogo-observability.local`: the three jails, and nothing else (no `[DEFAULT]`: the operator's defaults
 * stay theirs). Never a jail name the operator defines too (refused by security/coexist.ts).
 */
export function jailsFile(settings: Settings): string {
  const { ignoreIp, logs, fail2ban } = settings.security;
  const { sshd, apiAbuse, postgresql } = fail2ban.jails;
  // Two actions of one jail need two chain names (0.11.2's actionstart fails on an existing `f2b-<name>`).
  const dockerUser = (jail: string) => `${FAIL2BAN_FILES.dockerUserAction}[name=${jail}]`;
  return toIni(
    {
      comment: [
        "KoproGo jails (runbook: sshd, api-abuse, postgresql). Generated by koprogo-observability: edit the stack config.",
      ],
      sections: [
        // Each jail never bans security.ignoreIp: loopback, the Docker networks, operators and the CI runner.
        // A jail turned off is not written at all: a section with `enabled = false`, read after the operator's
        // files, would turn off their jail of the same name.
        ...(sshd.enabled
          ? [
              // sshd runs on the host (INPUT); an SSH brute forcer is kept off the containers too (DOCKER-USER).
              jailSection(JAILS.sshd, sshd, ignoreIp, {
                filter: "sshd",
                logpath: logs.auth,
                action: [
                  `${FAIL2BAN_FILES.allPortsAction}[name=${JAILS.sshd}, chain=INPUT]`,
                  dockerUser(`${JAILS.sshd}-docker`),
                ],
              }),
            ]
          : []),
        ...(apiAbuse.enabled
          ? [
              jailSection(JAILS.apiAbuse, apiAbuse, ignoreIp, {
                filter: FAIL2BAN_FILES.apiAbuseFilter,
                logpath: logs.traefikAccess,
                action: dockerUser(JAILS.apiAbuse),
              }),
            ]
          : []),
        ...(postgresql.enabled
          ? [
              jailSection(JAILS.postgresql, postgresql, ignoreIp, {
                filter: FAIL2BAN_FILES.postgresqlFilter,
                logpath: logs.postgres,
                action: dockerUser(JAILS.postgresql),
              }),
            ]
          : []),
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
    { path: `action.d/${FAIL2BAN_FILES.allPortsAction}.conf`, content: allPortsAction() },
    { path: `action.d/${FAIL2BAN_FILES.dockerUserAction}.conf`, content: dockerUserAction() },
  ];
}
