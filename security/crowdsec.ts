/**
 * CrowdSec's files, as an overlay of `/etc/crowdsec`: what it reads (acquisitions), who it never bans (a
 * whitelist parser from `security.ignoreIp`), how long it bans (profiles), where its Prometheus metrics listen
 * (`config.yaml.local`, merged over the packaged `config.yaml`) and how the firewall bouncer bans (also in
 * `DOCKER-USER`, see fail2ban.ts for why). Every source is a plain file, so `crowdsec -t` checks them offline.
 */
import { toYaml } from "../render/yaml";
import type { Settings } from "../settings";
import { POSTGRES_LOG_LINE_PREFIX } from "./fail2ban";
import { entries, toIni } from "./ini";

/** Log types the hub parsers select on (`evt.Parsed.program`): the acquisition labels must say exactly these. */
export const CROWDSEC_LOG_TYPES = {
  syslog: "syslog",
  traefik: "traefik",
  postgres: "postgres",
  suricata: "suricata-evelogs",
} as const;

/** Suricata's alert log, which CrowdSec reads too: high-severity IDS alerts become CrowdSec alerts (and metrics). */
export const SURICATA_EVE_LOG = "/var/log/suricata/eve.json";

/** Packaged bouncer configuration, whose API key the package writes at install: our settings go in `.local`. */
export const BOUNCER_CONFIG = "bouncers/crowdsec-firewall-bouncer.yaml";

export interface Acquisition {
  readonly source: "file";
  readonly filenames: string[];
  readonly labels: { readonly type: string };
}

/** The acquisitions: sshd (auth.log), Traefik's access log, PostgreSQL's log, and Suricata's eve.json when it runs. */
export function acquisitions(settings: Settings): Acquisition[] {
  const { logs, suricata } = settings.security;
  const file = (path: string, type: string): Acquisition => ({ source: "file", filenames: [path], labels: { type } });
  return [
    file(logs.auth, CROWDSEC_LOG_TYPES.syslog),
    file(logs.traefikAccess, CROWDSEC_LOG_TYPES.traefik),
    file(logs.postgres, CROWDSEC_LOG_TYPES.postgres),
    ...(suricata.enabled ? [file(SURICATA_EVE_LOG, CROWDSEC_LOG_TYPES.suricata)] : []),
  ];
}

/** Hub collections: the configured ones, plus Suricata's when Suricata runs (it turns IDS alerts into bans). */
export function crowdsecCollections(settings: Settings): string[] {
  const { crowdsec, suricata } = settings.security;
  return [...new Set([...crowdsec.collections, ...(suricata.enabled ? ["crowdsecurity/suricata"] : [])])];
}

/**
 * The stack's acquisitions, in `acquis.d/` (CrowdSec reads `acquisition_dir` beside `acquis.yaml`): the operator's
 * `acquis.yaml` stays theirs. A log file read by two acquisitions counts every line twice: security/coexist.ts
 * refuses an operator's acquisition of one of these files, and the apply empties the package's own default
 * `acquis.yaml` (untouched since install: it reads auth.log and the journal's sshd lines) the way the stack always
 * replaced it.
 */
export const ACQUISITIONS_FILE = "acquis.d/koprogo-observability.yaml";

/** The package's acquisitions file, which the stack empties only while it is the package's untouched default. */
export const PACKAGED_ACQUISITIONS = "/etc/crowdsec/acquis.yaml";

/** The acquisitions as one YAML stream. */
export function acquisYaml(settings: Settings): string {
  return acquisitions(settings).map(toYaml).join("---\n");
}

/** A s02-enrich whitelist: decisions are never taken against `security.ignoreIp`. */
export function whitelistParserYaml(settings: Settings): string {
  const ips = settings.security.ignoreIp.filter((entry) => !entry.includes("/"));
  const cidrs = settings.security.ignoreIp.filter((entry) => entry.includes("/"));
  return toYaml({
    name: "koprogo/whitelist",
    description: "Never ban the operators, the CI runner, loopback and the Docker networks (security.ignoreIp)",
    whitelist: {
      reason: "koprogo-observability security.ignoreIp",
      ...(ips.length > 0 ? { ip: ips } : {}),
      ...(cidrs.length > 0 ? { cidr: cidrs } : {}),
    },
  });
}

/**
 * Source-address guard (s02-enrich, after every s01 parser, ours included): an event is dropped (whitelisted) unless its
 * `evt.Meta.source_ip` sits where the program itself writes the peer address, never in client-controlled text.
 *
 * Measured with crowdsec 1.4.6 and its hub (tests/tools/security.injection.test.ts): the hub parsers' grok patterns
 * are unanchored searches, so `crowdsecurity/pgsql-logs` takes the address of a fake prefix inside a user name,
 * `crowdsecurity/sshd-logs` the first `from <ip>` of an SSH user name like `x from 198.51.100.9 port 22`, and
 * `crowdsecurity/traefik-logs` a whole fake CLF line inside a User-Agent when the real line does not parse
 * (a method that is not a `WORD`, e.g. `M-SEARCH`). The guard holds whatever hub version `cscli hub update` brings:
 * - PostgreSQL: the address right after `%m [%p] ` (POSTGRES_LOG_LINE_PREFIX), at the start of the raw line
 *   (also guards a hub parser installed by a collection against lines of another prefix).
 * - sshd: sshd writes the client's user name BEFORE the peer address, so the address must be the last one with a
 *   ` port N` (or `rhost=`) in the message: a fake one in a user name is always followed by the real one.
 * - Traefik CLF: the first field of the line; JSON: the `ClientAddr` key (what the hub parser reads).
 * Expressions use character classes instead of backslashes (an expr string literal refuses `\d`); an IP's dots
 * are regex wildcards there, but between a fixed prefix and a fixed suffix only the same address can match.
 */
export function sourceGuardParserYaml(): string {
  const ip = "evt.Meta.source_ip";
  return toYaml({
    name: "koprogo/source-guard",
    description: "Drop events whose source address is not where the program writes the peer (log injection)",
    filter: `${ip} != ''`,
    whitelist: {
      reason: "koprogo-observability: source address not at its trusted position (log injection)",
      expression: [
        `evt.Parsed.program == '${CROWDSEC_LOG_TYPES.postgres}' && !(evt.Line.Raw matches ('^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ [^ ]+ [[][0-9]+[]] ' + ${ip} + ' '))`,
        `evt.Parsed.program == 'sshd' && !(evt.Parsed.message matches ('[ =]' + ${ip} + '( port [0-9]+| |$)') && !(evt.Parsed.message matches ('[ =]' + ${ip} + ' .* port [0-9]+')))`,
        `evt.Parsed.program startsWith '${CROWDSEC_LOG_TYPES.traefik}' && !(evt.Line.Raw startsWith '{') && !(evt.Line.Raw startsWith (${ip} + ' - '))`,
        `evt.Parsed.program startsWith '${CROWDSEC_LOG_TYPES.traefik}' && evt.Line.Raw startsWith '{' && !(JsonExtract(evt.Line.Raw, 'ClientAddr') startsWith (${ip} + ':')) && !(JsonExtract(evt.Line.Raw, 'ClientAddr') startsWith ('[' + ${ip} + ']:'))`,
      ],
    },
  });
}

/**
 * PostgreSQL authentication failures for the hub's `crowdsecurity/pgsql-bf` scenario (`evt.Meta.log_type ==
 * 'pgsql_failed_auth'`, grouped by `evt.Meta.source_ip`), in the log_line_prefix this stack asks for
 * (POSTGRES_LOG_LINE_PREFIX, without the client-chosen `%u@%d` the hub's `crowdsecurity/pgsql-logs` expects and
 * therefore never matches). Anchored at the start of the line: the address is the prefix's, the message follows
 * it directly.
 */
export function pgsqlParserYaml(): string {
  return toYaml({
    onsuccess: "next_stage",
    name: "koprogo/pgsql-logs",
    description: `PostgreSQL 15 authentication failures, log_line_prefix '${POSTGRES_LOG_LINE_PREFIX}' (address of the prefix only)`,
    filter: `evt.Parsed.program == '${CROWDSEC_LOG_TYPES.postgres}'`,
    nodes: [
      {
        grok: {
          pattern:
            '^%{TIMESTAMP_ISO8601:timestamp} %{WORD:zone} \\[%{INT:pid}\\] %{IP:source_ip} FATAL:  (%{WORD:auth_method} authentication failed for user|role|no pg_hba\\.conf entry for host) "',
          apply_on: "message",
        },
      },
    ],
    statics: [
      { meta: "log_type", value: "pgsql_failed_auth" },
      { meta: "service", value: "pgsql" },
      { meta: "source_ip", expression: "evt.Parsed.source_ip" },
      { target: "evt.StrTime", expression: "evt.Parsed.timestamp + ' ' + evt.Parsed.zone" },
    ],
  });
}

/** `profiles.yaml`: a ban of `banDuration` for an address or a range, as CrowdSec's default but with our duration. */
export function profilesYaml(settings: Settings): string {
  const duration = settings.security.crowdsec.banDuration;
  const profile = (scope: "Ip" | "Range") => ({
    name: `default_${scope.toLowerCase()}_remediation`,
    filters: [`Alert.Remediation == true && Alert.GetScope() == "${scope}"`],
    decisions: [{ type: "ban", duration }],
    on_success: "break",
  });
  return [profile("Ip"), profile("Range")].map(toYaml).join("---\n");
}

/** `host:port` Prometheus scrapes CrowdSec at (job `crowdsec`). */
export function crowdsecMetricsTarget(settings: Settings): string {
  const { listenAddress, port } = settings.security.crowdsec.metrics;
  return `${listenAddress}:${port}`;
}

/** `config.yaml.local`: the metrics endpoint on the host's monitoring-network address, never a public one. */
export function configLocalYaml(settings: Settings): string {
  const { listenAddress, port } = settings.security.crowdsec.metrics;
  return toYaml({ prometheus: { enabled: true, level: "full", listen_addr: listenAddress, listen_port: port } });
}

/**
 * The bouncer's `.local` file: in iptables mode it inserts its chain in `INPUT` (sshd and the host) and in
 * `DOCKER-USER` (the containers); in nftables mode the `forward` hook plays the part of `DOCKER-USER`.
 */
export function bouncerLocalYaml(settings: Settings): string {
  const mode = settings.security.crowdsec.bouncer.mode;
  return toYaml({
    mode,
    deny_action: "DROP",
    deny_log: false,
    ...(mode === "iptables" ? { iptables_chains: ["INPUT", "DOCKER-USER"] } : { nftables_hooks: ["input", "forward"] }),
  });
}

/**
 * The `iptables` arguments (after the chain) of the rule that keeps CrowdSec's metrics to the monitoring network:
 * a TCP packet for the listen address and port from any source outside `docker.monitoringSubnet` is dropped.
 * CrowdSec's Prometheus endpoint has no authentication, and Linux accepts a packet for any of the host's addresses
 * whatever interface it came in on, so an application container (through its own network's gateway) or a
 * neighbour on the public link could otherwise read it. Prometheus comes from the monitoring subnet: its connected
 * route to the gateway goes out on the monitoring network. A forged source address gets no answer back (the reply
 * goes to the monitoring network), so no connection opens.
 */
export function metricsFirewallRule(settings: Settings): string[] {
  const { listenAddress, port } = settings.security.crowdsec.metrics;
  return [
    "-p",
    "tcp",
    "-d",
    listenAddress,
    "--dport",
    String(port),
    "!",
    "-s",
    settings.docker.monitoringSubnet,
    "-m",
    "comment",
    "--comment",
    "koprogo-crowdsec-metrics",
    "-j",
    "DROP",
  ];
}

/** `iptables` as systemd runs it: `-w` waits for the xtables lock that Docker and the bouncer also take. */
const IPTABLES = "/usr/sbin/iptables -w";

/**
 * CrowdSec's drop-in: after Docker (the monitoring network's bridge holds the listen address, and the bouncer's
 * `DOCKER-USER` chain), and the metrics rule for exactly as long as CrowdSec runs: removed first in case a crash
 * left it (the `-` prefix ignores "no such rule"), inserted at the top of `INPUT` before CrowdSec starts, removed
 * after it stops.
 */
export function crowdsecDropIn(settings: Settings): string {
  const rule = metricsFirewallRule(settings).join(" ");
  return toIni(
    {
      comment: [
        "Generated by koprogo-observability: start after Docker (monitoring network address, DOCKER-USER chain),",
        "and let only the monitoring network reach the metrics endpoint (it has no authentication).",
      ],
      sections: [
        { name: "Unit", entries: entries({ After: "docker.service" }) },
        {
          name: "Service",
          entries: [
            { key: "ExecStartPre", value: `-${IPTABLES} -D INPUT ${rule}` },
            { key: "ExecStartPre", value: `${IPTABLES} -I INPUT ${rule}` },
            { key: "ExecStopPost", value: `-${IPTABLES} -D INPUT ${rule}` },
          ],
        },
      ],
    },
    "systemd",
  );
}

/**
 * The bouncer's drop-in. In iptables mode the bouncer inserts its rule in every chain of `iptables_chains` for
 * IPv4 AND IPv6, and refuses to start when one is missing; Docker creates `DOCKER-USER` in ip6tables only with
 * `ip6tables: true` (not the default before Docker 27), so on a default VPS the bouncer died with
 * "ip6tables: No chain/target/match by that name" (found by the deploy rehearsal). Before each start the chain is
 * created as Docker itself would (empty, RETURN, jumped to from FORWARD) when it is missing; Docker adopts an
 * existing DOCKER-USER chain if its IPv6 support is turned on later.
 */
export function bouncerDropIn(settings: Settings): string {
  const ensureIpv6DockerUser =
    "/bin/sh -c 'ip6tables -n -L DOCKER-USER >/dev/null 2>&1 || { ip6tables -N DOCKER-USER && ip6tables -A DOCKER-USER -j RETURN && ip6tables -I FORWARD -j DOCKER-USER; }'";
  return toIni(
    {
      comment: ["Generated by koprogo-observability: start after Docker (docker0 address, DOCKER-USER chain)."],
      sections: [
        { name: "Unit", entries: entries({ After: "docker.service" }) },
        ...(settings.security.crowdsec.bouncer.mode === "iptables"
          ? [{ name: "Service", entries: entries({ ExecStartPre: ensureIpv6DockerUser }) }]
          : []),
      ],
    },
    "systemd",
  );
}

/** The overlay of `/etc/crowdsec` (and its systemd drop-ins under `systemd/`), paths relative to it. */
export function crowdsecOverlay(settings: Settings): { path: string; content: string }[] {
  return [
    { path: ACQUISITIONS_FILE, content: acquisYaml(settings) },
    { path: "config.yaml.local", content: configLocalYaml(settings) },
    { path: "profiles.yaml", content: profilesYaml(settings) },
    { path: "parsers/s01-parse/koprogo-pgsql-logs.yaml", content: pgsqlParserYaml() },
    { path: "parsers/s02-enrich/koprogo-whitelist.yaml", content: whitelistParserYaml(settings) },
    { path: "parsers/s02-enrich/koprogo-source-guard.yaml", content: sourceGuardParserYaml() },
    { path: `${BOUNCER_CONFIG}.local`, content: bouncerLocalYaml(settings) },
    { path: "systemd/crowdsec.service.d/koprogo.conf", content: crowdsecDropIn(settings) },
    { path: "systemd/crowdsec-firewall-bouncer.service.d/koprogo.conf", content: bouncerDropIn(settings) },
  ];
}
