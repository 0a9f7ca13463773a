/**
 * Suricata's files, as an overlay of `/etc/suricata`: the overrides of the packaged `suricata.yaml` (included at
 * its end, so ours win and the package's file stays the package's), `suricata-update`'s configuration with the
 * local rules merged into the one rule file Suricata loads, and the systemd timer that keeps Emerging Threats
 * Open up to date.
 */
import { toYaml } from "../render/yaml";
import type { Settings } from "../settings";
import { entries, toIni } from "./ini";
import { DOCKER_NETS_VAR, localRulesFile, suricataHttpPorts } from "./suricataRules";

/** Paths on the host. */
export const SURICATA_PATHS = {
  /** The packaged configuration's directory: Suricata resolves a relative `include:` there. */
  configDir: "/etc/suricata",
  /** Our overrides, included by the packaged `suricata.yaml`. */
  overrides: "/etc/suricata/koprogo.yaml",
  /** The capture settings with the interface names left as tokens (`CAPTURE_TOKENS`), rendered here. */
  captureTemplate: "/etc/suricata/koprogo-capture.yaml.in",
  /** The capture settings with the host's interface names, written from the template when the agent is applied. */
  capture: "/etc/suricata/koprogo-capture.yaml",
  packagedConfig: "/etc/suricata/suricata.yaml",
  localRules: "/etc/suricata/rules/koprogo-local.rules",
  /** Where `suricata-update` writes the merged rules, and Suricata reads them. */
  ruleDir: "/var/lib/suricata/rules",
  logDir: "/var/log/suricata/",
} as const;

const fileName = (file: string): string => file.slice(file.lastIndexOf("/") + 1);

/**
 * The line appended to the packaged `suricata.yaml` (and removed on delete). Relative: Suricata 6 and 7 read a
 * relative include from the directory of the main configuration file, so the same line works in a test's copy.
 */
export const SURICATA_INCLUDE_LINE = `include: ${fileName(SURICATA_PATHS.overrides)}`;

/** systemd units of the update schedule. */
export const SURICATA_UPDATE_UNIT = "koprogo-suricata-update";

/** The words of the capture template that the host script replaces with interface names found at deploy time. */
export const CAPTURE_TOKENS = { publicInterface: "KOPROGO_PUBLIC_INTERFACE", appBridge: "KOPROGO_APP_BRIDGE" } as const;

/**
 * `vars`. Suricata replaces a redefined top-level mapping as a whole (its loader prunes the node's children and
 * logs "Configuration node 'vars' redefined"), so every group of the packaged file is written here, or the
 * packaged decoder settings and the Emerging Threats rules that use them fail on an undefined variable. The list
 * is the same in the 6.0 and 7.0 packages (tests/lab/security.suricata.run.test.ts reads the package's own).
 *
 * `HOME_NET`: `any` by default; with `homeNet` set, those addresses plus `dockerNetworks` when the application's
 * bridge is captured. `EXTERNAL_NET` is `any` whenever the bridge is captured: there the client is Traefik,
 * inside the host, so `!$HOME_NET` would hide every request it forwards. Otherwise `!$HOME_NET`. `DOCKER_NETS`
 * (ours) is `dockerNetworks`, the sources the per-source counting rules leave out (`security/suricataRules.ts`).
 */
function suricataVars(settings: Settings) {
  const { suricata, sshPort } = settings.security;
  const bridge = suricata.appBridge !== null;
  const home = suricata.homeNet ? [...suricata.homeNet, ...(bridge ? suricata.dockerNetworks : [])] : undefined;
  return {
    "address-groups": {
      HOME_NET: home ? `[${home.join(",")}]` : "any",
      EXTERNAL_NET: home && !bridge ? "!$HOME_NET" : "any",
      HTTP_SERVERS: "$HOME_NET",
      SMTP_SERVERS: "$HOME_NET",
      SQL_SERVERS: "$HOME_NET",
      DNS_SERVERS: "$HOME_NET",
      TELNET_SERVERS: "$HOME_NET",
      AIM_SERVERS: "$EXTERNAL_NET",
      DC_SERVERS: "$HOME_NET",
      DNP3_SERVER: "$HOME_NET",
      DNP3_CLIENT: "$HOME_NET",
      MODBUS_CLIENT: "$HOME_NET",
      MODBUS_SERVER: "$HOME_NET",
      ENIP_CLIENT: "$HOME_NET",
      ENIP_SERVER: "$HOME_NET",
      [DOCKER_NETS_VAR]: `[${suricata.dockerNetworks.join(",")}]`,
    },
    "port-groups": {
      HTTP_PORTS: `[${suricataHttpPorts(settings).join(",")}]`,
      SHELLCODE_PORTS: "!$HTTP_PORTS",
      ORACLE_PORTS: "1521",
      SSH_PORTS: String(sshPort),
      DNP3_PORTS: "20000",
      MODBUS_PORTS: "502",
      FILE_DATA_PORTS: "[$HTTP_PORTS,110,143]",
      FTP_PORTS: "21",
      GENEVE_PORTS: "6081",
      VXLAN_PORTS: "4789",
      TEREDO_PORTS: "3544",
    },
  };
}

/** Suricata refuses a configuration file without the YAML 1.1 directive. */
const suricataYaml = (body: unknown): string => `%YAML 1.1\n---\n${toYaml(body)}`;

/**
 * The overrides: variables, where the logs and rules are, and the capture settings (included from the file the
 * host script writes, since the interface names are the host's). eve.json is the packaged default output in
 * `default-log-dir` (`/var/log/suricata/eve.json`), which Alloy ships to Loki and CrowdSec reads. Only keys that
 * Suricata 6.0 and 7.0 read alike.
 */
export function suricataOverrides(settings: Settings): string {
  return suricataYaml({
    vars: suricataVars(settings),
    "default-log-dir": SURICATA_PATHS.logDir,
    "default-rule-path": SURICATA_PATHS.ruleDir,
    "rule-files": ["suricata.rules"],
    include: fileName(SURICATA_PATHS.capture),
  });
}

/**
 * The capture template: AF_PACKET on the public interface and, unless `appBridge` is null, on the application's
 * bridge, each with its own fanout group (`cluster-id`); the `default` entry keeps the packaged defaults for
 * the rest (the packaged list is replaced as a whole, like `vars`). Suricata is started with `--af-packet` and no
 * name (the packaged unit), so it captures every interface listed here but `default`.
 */
export function captureTemplate(settings: Settings): string {
  const capture = (iface: string, clusterId: number) => ({
    interface: iface,
    "cluster-id": clusterId,
    "cluster-type": "cluster_flow",
    defrag: true,
  });
  return suricataYaml({
    "af-packet": [
      capture(CAPTURE_TOKENS.publicInterface, 99),
      ...(settings.security.suricata.appBridge !== null ? [capture(CAPTURE_TOKENS.appBridge, 98)] : []),
      { interface: "default" },
    ],
  });
}

/** `/etc/suricata/update.yaml`: merge the local rules into `suricata.rules`; keep Suricata's own test before reload. */
export function updateYaml(): string {
  return toYaml({ local: [SURICATA_PATHS.localRules], ignore: ["*deleted.rules"] });
}

/** The oneshot service: fetch the sources, rebuild `suricata.rules` (tested by Suricata itself), reload. */
export function updateService(): string {
  return toIni(
    {
      comment: ["Generated by koprogo-observability."],
      sections: [
        {
          name: "Unit",
          entries: entries({
            Description: "Update Suricata rules (Emerging Threats Open and the KoproGo local rules)",
            After: "network-online.target",
            Wants: "network-online.target",
          }),
        },
        {
          name: "Service",
          entries: entries({
            Type: "oneshot",
            ExecStart: "/usr/bin/suricata-update",
            ExecStartPost: "/bin/systemctl try-reload-or-restart suricata.service",
          }),
        },
      ],
    },
    "systemd",
  );
}

/** The timer: `updateSchedule`, spread over half an hour, caught up after downtime. */
export function updateTimer(settings: Settings): string {
  return toIni(
    {
      comment: ["Generated by koprogo-observability (security.suricata.updateSchedule)."],
      sections: [
        { name: "Unit", entries: entries({ Description: "Daily Suricata rules update" }) },
        {
          name: "Timer",
          entries: entries({
            OnCalendar: settings.security.suricata.updateSchedule,
            RandomizedDelaySec: "30m",
            Persistent: true,
          }),
        },
        { name: "Install", entries: entries({ WantedBy: "timers.target" }) },
      ],
    },
    "systemd",
  );
}

/** The overlay of `/etc/suricata` (and its systemd units under `systemd/`), paths relative to it. */
export function suricataOverlay(settings: Settings): { path: string; content: string }[] {
  return [
    { path: fileName(SURICATA_PATHS.overrides), content: suricataOverrides(settings) },
    { path: fileName(SURICATA_PATHS.captureTemplate), content: captureTemplate(settings) },
    { path: "rules/koprogo-local.rules", content: localRulesFile(settings) },
    { path: "update.yaml", content: updateYaml() },
    { path: `systemd/${SURICATA_UPDATE_UNIT}.service`, content: updateService() },
    { path: `systemd/${SURICATA_UPDATE_UNIT}.timer`, content: updateTimer(settings) },
  ];
}
