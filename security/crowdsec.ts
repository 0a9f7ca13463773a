/**
 * CrowdSec's files, as an overlay of `/etc/crowdsec`: what it reads (acquisitions), who it never bans (a
 * whitelist parser from `security.ignoreIp`), how long it bans (profiles), where its Prometheus metrics listen
 * (`config.yaml.local`, merged over the packaged `config.yaml`) and how the firewall bouncer bans (also in
 * `DOCKER-USER`, see fail2ban.ts for why). Every source is a plain file, so `crowdsec -t` checks them offline.
 */
import { toYaml } from "../render/yaml";
import type { Settings } from "../settings";
import { entries, toIni } from "./ini";

/** Log types the hub parsers select on (`evt.Parsed.program`): the acquisition labels must say exactly these. */
export const CROWDSEC_LOG_TYPES = { syslog: "syslog", traefik: "traefik", postgres: "postgres", suricata: "suricata-evelogs" } as const;

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

/** `acquis.yaml`, replacing the package's auto-detected one so no log is read twice (which would double counts). */
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
    whitelist: { reason: "koprogo-observability security.ignoreIp", ...(ips.length > 0 ? { ip: ips } : {}), ...(cidrs.length > 0 ? { cidr: cidrs } : {}) },
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

/** `config.yaml.local`: the metrics endpoint on the Docker bridge gateway, never a public address. */
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
 * A systemd drop-in ordering a unit after Docker: CrowdSec listens on the Docker bridge gateway and the bouncer
 * inserts its chain in `DOCKER-USER`, both of which exist only once Docker runs.
 */
export function afterDockerDropIn(): string {
  return toIni(
    {
      comment: ["Generated by koprogo-observability: start after Docker (docker0 address, DOCKER-USER chain)."],
      sections: [{ name: "Unit", entries: entries({ After: "docker.service" }) }],
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
  const ensureIpv6DockerUser = "/bin/sh -c 'ip6tables -n -L DOCKER-USER >/dev/null 2>&1 || { ip6tables -N DOCKER-USER && ip6tables -A DOCKER-USER -j RETURN && ip6tables -I FORWARD -j DOCKER-USER; }'";
  return toIni(
    {
      comment: ["Generated by koprogo-observability: start after Docker (docker0 address, DOCKER-USER chain)."],
      sections: [
        { name: "Unit", entries: entries({ After: "docker.service" }) },
        ...(settings.security.crowdsec.bouncer.mode === "iptables" ? [{ name: "Service", entries: entries({ ExecStartPre: ensureIpv6DockerUser }) }] : []),
      ],
    },
    "systemd",
  );
}

/** The overlay of `/etc/crowdsec` (and its systemd drop-ins under `systemd/`), paths relative to it. */
export function crowdsecOverlay(settings: Settings): { path: string; content: string }[] {
  return [
    { path: "acquis.yaml", content: acquisYaml(settings) },
    { path: "config.yaml.local", content: configLocalYaml(settings) },
    { path: "profiles.yaml", content: profilesYaml(settings) },
    { path: "parsers/s02-enrich/koprogo-whitelist.yaml", content: whitelistParserYaml(settings) },
    { path: `${BOUNCER_CONFIG}.local`, content: bouncerLocalYaml(settings) },
    { path: "systemd/crowdsec.service.d/koprogo.conf", content: afterDockerDropIn() },
    { path: "systemd/crowdsec-firewall-bouncer.service.d/koprogo.conf", content: bouncerDropIn(settings) },
  ];
}
