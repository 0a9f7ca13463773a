/**
 * Host security agents: fail2ban, CrowdSec, Suricata. They run on the VPS itself (not in containers), watch the
 * logs of the real deployment (the application runs in Docker behind Traefik) and ban in the firewall. Every
 * default fits that deployment; the runbook's jail numbers are the defaults of `fail2ban.jails`.
 */
import { z } from "zod";
import { duration, IPV4_PATTERN as IPV4, isRegex, port } from "./primitives";

const IPV6 =
  /^(([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(([0-9a-f]{1,4}:){0,7}[0-9a-f]{1,4})?::(([0-9a-f]{1,4}:){0,7}[0-9a-f]{1,4})?)$/i;

/** Whether `value` is an IPv4/IPv6 address, optionally with a prefix length that fits its family. */
export function isIpOrCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split("/");
  if (rest.length > 0) return false;
  const family = IPV4.test(address) ? 4 : IPV6.test(address) && address.split("::").length <= 2 ? 6 : 0;
  if (family === 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** An IP address or CIDR block, IPv4 or IPv6. */
export const ipOrCidr = z.string().refine(isIpOrCidr, {
  message: "must be an IP address or CIDR block like 203.0.113.7, 198.51.100.0/24 or 2001:db8::/32",
});

/** A Debian package version for `apt-get install pkg=<version>`; a trailing `*` matches revisions. */
const aptVersion = z
  .string()
  .regex(
    /^[0-9][A-Za-z0-9.+~:-]*\*?$/,
    "must be a Debian package version like 0.11.2-6 or 1:6.0.4-3 (a trailing * matches revisions)",
  );

/**
 * An https URL of an apt repository or key. It lands in a root shell (`curl`, and the `deb` line of a sources
 * file), so only URL characters that no shell or apt reads specially: no quotes, `$`, backticks, blanks or `;`.
 */
const aptUrl = z
  .string()
  .regex(
    /^https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~%+-]*)*$/,
    "must be an https:// URL of letters, digits and . _ ~ % + - / only (it reaches a root shell)",
  );

/**
 * Whether `value` is a Linux network interface name that is also one plain shell word: 1 to 15 characters
 * (IFNAMSIZ less the NUL), letters, digits, `_`, `.` and `-` only, not `.` or `..`, not starting with `-` (it
 * would read as an option). The kernel (`dev_valid_name`) also refuses `/`, `:` and whitespace; this is stricter,
 * so a name taken from the settings or from `ip route` can go into a command line or a YAML scalar unquoted.
 * The host script checks detected names with the same rule (`security/suricataCapture.ts`).
 */
export function isInterfaceName(value: string): boolean {
  return /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,14}$/.test(value) && value !== "." && value !== "..";
}

/** `auto` (found on the host at deploy time) or an interface name. */
const interfaceOrAuto = (auto: string) =>
  z.string().refine((value) => value === "auto" || isInterfaceName(value), {
    message: `must be a network interface name like eth0, ens3 or br-koprogo (1-15 letters, digits, _ . -, not starting with -) or \`auto\` (${auto})`,
  });

/** An absolute path on the host, without spaces or glob characters (fail2ban and CrowdSec read it as is). */
const hostLogPath = z
  .string()
  .regex(
    /^\/[A-Za-z0-9._/-]+$/,
    "must be an absolute path without spaces or wildcards, e.g. /var/log/traefik/access.log",
  );

/**
 * A regex on a Traefik router name: letters, digits, `@ _ -`, `\.` for a dot, and `. * + ? | ( )`. No classes,
 * quotes or other escapes: security/fail2ban.ts turns `.` into `[^"]` so the pattern cannot leave its log field.
 */
const traefikRouterPattern = z
  .string()
  .regex(
    /^(?:[A-Za-z0-9@_*+?|()-]|\\\.|\.)+$/,
    "must be a regex of a Traefik router name like .*backend.* or koprogo-backend@docker (letters, digits, @ _ -, \\. and . * + ? | ( ) only)",
  )
  .refine(isRegex, { message: "must be a valid regular expression" })
  .refine((pattern) => !isRegex(pattern) || !new RegExp(`^(?:${pattern})$`).test(""), {
    message: "must not match an empty router name",
  });

/** A systemd calendar expression (`OnCalendar=`), e.g. `*-*-* 04:17:00` or `daily`. */
const calendar = z
  .string()
  .regex(/^[A-Za-z0-9*:,./~ -]+$/, "must be a systemd calendar expression like `*-*-* 04:17:00` or `daily`");

/** Addresses fail2ban never bans and CrowdSec whitelists. Loopback is always required (see `ignoreIp`). */
const LOOPBACK = { v4: "127.0.0.1", v6: "::1" } as const;

function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((total, octet) => total * 256 + Number(octet), 0);
}

/** Whether an IPv4 address or CIDR block contains `address`. */
export function ipv4BlockContains(block: string, address: string): boolean {
  const [network, prefix = "32"] = block.split("/");
  if (!IPV4.test(network)) return false;
  const size = 2 ** (32 - Number(prefix));
  return Math.floor(ipv4ToNumber(network) / size) === Math.floor(ipv4ToNumber(address) / size);
}

function coversLoopback(list: readonly string[]): boolean {
  return (
    list.some((entry) => ipv4BlockContains(entry, LOOPBACK.v4)) &&
    list.some((entry) => entry === LOOPBACK.v6 || entry === `${LOOPBACK.v6}/128`)
  );
}

/** One fail2ban jail: `maxRetry` matches within `findTime` ban the address for `banTime`. */
function jail(defaults: { maxRetry: number; findTime: string; banTime: string }) {
  return z
    .object({
      /**
       * The stack defines this jail (with `security.fail2ban.enabled`). `false`: the stack writes no section of that
       * name, so a jail of the operator's or the package's (Debian's `defaults-debian.conf` enables `sshd`) is left as
       * it is. Set it to `false` when the operator's own jail of the same name must stay (security/coexist.ts).
       */
      enabled: z.boolean().default(true),
      /** Matching log lines from one address that trigger a ban. */
      maxRetry: z.number().int("must be a whole number").min(1, "must be at least 1").default(defaults.maxRetry),
      /** Window the matches are counted in. */
      findTime: duration.default(defaults.findTime),
      /** How long a ban lasts. */
      banTime: duration.default(defaults.banTime),
    })
    .strict();
}

export const fail2banSettings = z
  .object({
    /** Install fail2ban (with `security.enabled`). */
    enabled: z.boolean().default(true),
    /**
     * Package version installed; the host then stays on its release line (`0.11.*`) and takes that line's security
     * updates (apt preferences, not a hold). Defaults to Ubuntu 22.04's `0.11.2-6`.
     */
    version: aptVersion.default("0.11.2-6"),
    jails: z
      .object({
        /** The runbook's `sshd`: 10 failed logins in 10 minutes → 10 minutes ban. Bans in `INPUT` (sshd runs on the host). */
        sshd: jail({ maxRetry: 10, findTime: "10m", banTime: "10m" }).prefault({}),
        /** The runbook's `api-abuse`: 100 API requests in 1 minute from one address → 1 hour ban, in `DOCKER-USER`. */
        apiAbuse: jail({ maxRetry: 100, findTime: "1m", banTime: "1h" })
          .extend({
            /** Only requests whose path starts with this count (static assets of the frontend do not). */
            pathPrefix: z
              .string()
              .regex(/^\/[A-Za-z0-9._~/-]*$/, "must be a URL path prefix like /api/")
              .default("/api/"),
            /**
             * The backend's Traefik router, a regex on the access log's router name (`<router>@docker` for
             * Docker labels): only its requests count, so Grafana's `POST /api/ds/query` and the frontend never do.
             * Defaults to `.*backend.*`, like `alerts.traefikService`, which fits `koprogo-backend`.
             */
            router: traefikRouterPattern.default(".*backend.*"),
          })
          .strict()
          .prefault({}),
        /** PostgreSQL password brute force: 5 failed authentications in 10 minutes → 1 hour ban, in `DOCKER-USER`. */
        postgresql: jail({ maxRetry: 5, findTime: "10m", banTime: "1h" }).prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const crowdsecSettings = z
  .object({
    /** Install CrowdSec and its firewall bouncer (with `security.enabled`). */
    enabled: z.boolean().default(true),
    /** `crowdsec` package version (CrowdSec's own apt repository). */
    version: aptVersion.default("1.6.8"),
    /**
     * CrowdSec's apt repository (Ubuntu 22.04's own package is 1.0.9, too old for `.local` files and the
     * collections below). `null` installs from the distribution's repositories.
     */
    repository: z
      .object({
        url: aptUrl
          .refine((v) => v.endsWith("/"), "must end with /")
          .default("https://packagecloud.io/crowdsec/crowdsec/ubuntu/"),
        keyUrl: aptUrl.default("https://packagecloud.io/crowdsec/crowdsec/gpgkey"),
      })
      .strict()
      .nullable()
      .prefault({}),
    /** Hub collections: parsers and scenarios for the logs acquired (sshd, Traefik, PostgreSQL) and the base. */
    collections: z
      .array(z.string().regex(/^[a-z0-9-]+\/[a-z0-9_-]+$/, "must be a hub collection like crowdsecurity/sshd"))
      .default([
        "crowdsecurity/linux",
        "crowdsecurity/sshd",
        "crowdsecurity/traefik",
        "crowdsecurity/pgsql",
        "crowdsecurity/base-http-scenarios",
        "crowdsecurity/http-cve",
      ]),
    /** Duration of a local ban decision. Defaults to `4h` (CrowdSec's own default). */
    banDuration: duration.default("4h"),
    bouncer: z
      .object({
        /** `iptables` (chains `INPUT` and `DOCKER-USER`) or `nftables` (hooks `input` and `forward`). */
        mode: z.enum(["iptables", "nftables"]).default("iptables"),
        /** `crowdsec-firewall-bouncer-<mode>` package version. */
        version: aptVersion.default("0.0.31"),
      })
      .strict()
      .prefault({}),
    /**
     * Where CrowdSec's Prometheus endpoint listens: the host's address on the stack's internal monitoring network
     * (the gateway of `docker.monitoringSubnet`, default `172.31.213.1`), where Prometheus reaches it; a firewall
     * rule that comes and goes with CrowdSec (security/crowdsec.ts `crowdsecDropIn`) drops every other source,
     * because the endpoint has no authentication and Linux accepts a packet for any host address on any interface.
     */
    metrics: z
      .object({
        /** Address of the endpoint: the stack's address on the monitoring network's host bridge (see security/crowdsec.ts). */
        listenAddress: z
          .string()
          .regex(IPV4, "must be an IPv4 address")
          .refine((v) => v !== "0.0.0.0", "must not be 0.0.0.0: the metrics would be public")
          .default("172.31.213.1"),
        /** Port of the endpoint. */
        port: port.default(6060),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const suricataSettings = z
  .object({
    /** Install Suricata (with `security.enabled`). */
    enabled: z.boolean().default(true),
    /** Package version. Defaults to Ubuntu 22.04's `1:6.0.4-3`. */
    version: aptVersion.default("1:6.0.4-3"),
    /**
     * `HOME_NET`: the addresses Suricata protects (the VPS's public address). `null` (the default) uses `any`
     * for both `HOME_NET` and `EXTERNAL_NET`: every packet on the public interface is to or from this one host,
     * so no traffic is missed; set the public address to make the direction of rules exact.
     */
    homeNet: z.array(ipOrCidr).min(1, "must list at least one address").nullable().default(null),
    /** When `suricata-update` fetches the rule sources (systemd `OnCalendar=`). Defaults to daily at 04:17. */
    updateSchedule: calendar.default("*-*-* 04:17:00"),
    /**
     * The Linux bridge of the application's Docker network, also captured: TLS ends at Traefik, so HTTP is in
     * clear text only between Traefik and the backend (`:8080`) on that bridge. `auto` (the default) asks the
     * host's Docker for the bridge of `docker.network.name` at deploy time (`br-` and the network id's first 12
     * characters, or the network's `com.docker.network.bridge.name` option); a name is used as is (give the
     * network a fixed bridge name in Compose, `driver_opts: {com.docker.network.bridge.name: br-koprogo}`, so a
     * re-created network keeps it); `null` captures the public interface only.
     */
    appBridge: interfaceOrAuto("the bridge of `docker.network.name`, found at deploy time").nullable().default("auto"),
    /**
     * The address ranges of the host's Docker networks (`DOCKER_NETS`). Defaults to Docker's default address
     * pools (172.17.0.0/16 to 172.31.0.0/16, then 192.168.0.0/16 in /20s); list the daemon's
     * `default-address-pools` instead if it sets them. On the bridge every request comes from Traefik's address,
     * and the backend opens its pool's connections to PostgreSQL in bursts: the rules that count connections or
     * logins per source ignore these sources (they would count every user behind Traefik as one), and `HOME_NET`
     * includes them when `homeNet` is set.
     */
    dockerNetworks: z
      .array(ipOrCidr)
      .min(1, "must list at least one address range")
      .default(["172.16.0.0/12", "192.168.0.0/16"]),
    /** `suricata-update` sources. Defaults to Emerging Threats Open. */
    ruleSources: z
      .array(z.string().regex(/^[a-z0-9_-]+\/[a-z0-9_.-]+$/, "must be a suricata-update source like et/open"))
      .default(["et/open"]),
  })
  .strict();

export const securitySettings = z
  .object({
    /** Install and configure the host agents over SSH. Off in `dev` (a laptop is not the VPS). */
    enabled: z.boolean().default(false),
    /**
     * Addresses never banned (fail2ban `ignoreip`, CrowdSec whitelist): loopback, the Docker networks (the
     * frontend calls the API through Traefik from there), the operators and the CI runner. Must include loopback.
     */
    ignoreIp: z
      .array(ipOrCidr)
      .default([LOOPBACK.v4 + "/8", LOOPBACK.v6, "172.16.0.0/12"])
      .refine(coversLoopback, {
        message: "must include loopback (127.0.0.1 or 127.0.0.0/8, and ::1) so the host can never ban itself",
      }),
    /**
     * The public network interface Suricata captures. `auto` (the default) is the interface of the default route,
     * read with `ip route` when the agent is applied (Ubuntu VPS images name it `ens3` or `enp1s0`, not `eth0`);
     * a name is checked to exist on the host, and the deploy stops with this key in the message when it does not.
     */
    publicInterface: interfaceOrAuto("the default route's interface, found at deploy time").default("auto"),
    /** The SSH port (Suricata's SSH rules). The `sshd` jail bans an offender on every port, so it does not need it. */
    sshPort: port.default(22),
    /** Log files of the real deployment the agents read. */
    logs: z
      .object({
        /** OpenSSH's log: `/var/log/auth.log` (rsyslog, as on Ubuntu 22.04). */
        auth: hostLogPath.default("/var/log/auth.log"),
        /**
         * Traefik's access log on the host: the application's Traefik must run with
         * `--accesslog.filepath=/var/log/traefik/access.log` and bind-mount `/var/log/traefik` (see README).
         */
        traefikAccess: hostLogPath.default("/var/log/traefik/access.log"),
        /**
         * `json` (Traefik's `--accesslog.format=json`, the default) or `common` (CLF, Traefik's own default).
         * `staging` and `prod` refuse `common`: Traefik writes the URL's user name (`http://name@host/...`) into a CLF
         * line unescaped, after Go decoded `%0A` in it, so one request writes a whole second line with an address the
         * client chose, and fail2ban and CrowdSec would ban that address (docs/operator/security.md "The access log").
         * JSON escapes every value; the jail and CrowdSec read the peer from `ClientAddr`.
         */
        traefikAccessFormat: z.enum(["common", "json"]).default("json"),
        /**
         * The PostgreSQL container's log on the host, written by PostgreSQL's logging collector into a
         * bind-mounted directory with `log_line_prefix='%m [%p] %h%q '` (the client address), see README.
         */
        postgres: hostLogPath.default("/var/log/koprogo/postgresql/postgresql.log"),
      })
      .strict()
      .prefault({}),
    fail2ban: fail2banSettings.prefault({}),
    crowdsec: crowdsecSettings.prefault({}),
    /** Thresholds of the security alerts (alerts/rules/security.ts), read there and by the runbooks' wording. */
    alerts: z
      .object({
        /** `SecurityIdsHighSeverityBurst`: more high-severity Suricata detections than this in 10 minutes. */
        idsHighSeverityPer10m: z.number().int("must be a whole number").min(1, "must be at least 1").default(5),
        /** `SecurityBanSpike`: more CrowdSec scenario triggers (bans) than this in 15 minutes. */
        bansPer15m: z.number().int("must be a whole number").min(1, "must be at least 1").default(20),
        /** `CrowdsecLogSourceSilent`: how long a log that is never quiet (auth.log, Traefik) may go unread. */
        silentLogFor: duration.default("30m"),
      })
      .strict()
      .prefault({}),
    suricata: suricataSettings.prefault({}),
  })
  .strict();

export type SecuritySettings = z.infer<typeof securitySettings>;
export type Fail2banSettings = z.infer<typeof fail2banSettings>;
export type CrowdsecSettings = z.infer<typeof crowdsecSettings>;
export type SuricataSettings = z.infer<typeof suricataSettings>;

/**
 * Traefik's common log format where bans are taken on it (`staging`, `prod`): refused, because a client writes its
 * own log lines through the URL's user name. Checked with the required secrets (settings/load.ts), on the parsed
 * stack config: the schema itself still parses `common`, for `dev` and the tests that show the forgery.
 */
export function traefikAccessFormatProblem(settings: {
  environment: string;
  security: { logs: { traefikAccessFormat: string } };
}): { key: string; message: string } | undefined {
  if (
    (settings.environment !== "prod" && settings.environment !== "staging") ||
    settings.security.logs.traefikAccessFormat !== "common"
  )
    return undefined;
  return {
    key: "security.logs.traefikAccessFormat",
    message: `must be json in ${settings.environment}, not common: in Traefik's common log format the user name of a request's URL is written unescaped (Go decodes %0A in it), so one request from anyone on the internet forges a whole access-log line with an address of its choosing, and fail2ban's api-abuse jail and CrowdSec would ban that address. Run the application's Traefik with --accesslog.format=json and set security.logs.traefikAccessFormat: json (docs/operator/deploying.md "5. Log files the host agents read")`,
  };
}
