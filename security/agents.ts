/**
 * What installing, applying and removing each host agent means, as shell scripts built by pure functions. The
 * component runs them over SSH; tests read them. Every script is idempotent: installing an installed pinned
 * version, writing the same include line, enabling an enabled unit and installing an installed hub collection
 * are no-ops, so a script re-run by Pulumi changes nothing that is already right.
 */
import { shellQuote } from "../host/scripts";
import type { Settings } from "../settings";
import { BOUNCER_CONFIG, crowdsecCollections, PACKAGED_ACQUISITIONS } from "./crowdsec";
import { JAILS } from "./fail2ban";
import type { SecurityAgent } from "./files";
import { OWNED_MARK_LINE, OWNED_PACKAGES_DIR, ownedPackageRecord, pristineFunction } from "./ownership";
import { SURICATA_INCLUDE_LINE, SURICATA_PATHS, SURICATA_UPDATE_UNIT } from "./suricata";
import { captureScript } from "./suricataCapture";

export interface AptPackage {
  readonly name: string;
  /**
   * Exact version, or a pattern ending with `*` (apt and the shell `case` read it alike). Absent for a helper
   * package that follows the distribution (suricata-update): installed, neither pinned nor held.
   */
  readonly version?: string;
}

export interface AptRepository {
  /** File name under `/etc/apt/sources.list.d/` and `/etc/apt/keyrings/`. */
  readonly name: string;
  readonly url: string;
  readonly keyUrl: string;
}

export interface AgentSpec {
  readonly agent: SecurityAgent;
  readonly packages: readonly AptPackage[];
  readonly repository?: AptRepository;
  /**
   * Downloads the agent's content from its vendor (CrowdSec's hub, Suricata's rule sources), after the files and
   * before `apply`. Its own command: it is the only step that needs the internet beyond the apt archive, so a
   * vendor outage fails it by name, and `apply` (check, enable, restart) stays a step that runs offline.
   */
  readonly fetch?: string;
  /** Runs after the files are written or changed: check the configuration, then (re)start the services. */
  readonly apply: string;
  /** Runs before the files are removed: stop and disable what the agent runs, when the stack installed it. */
  readonly stop: string;
  /** The agent's services: reloaded without the stack's files when the package stays (the operator's). */
  readonly services: readonly string[];
}

/** True in sh when the stack installed `name` itself (security/ownership.ts). */
const installedByStack = (name: string) => `[ -e ${shellQuote(ownedPackageRecord(name))} ]`;

const STRICT = "set -eu";
const APT_ENV = "export DEBIAN_FRONTEND=noninteractive";

/**
 * The release line of a Debian version: epoch, major and minor (`1:6.0.4-3` → `1:6.0.`, `1.6.8` → `1.6.`). The
 * agents stay on the line the stack was tested with, and take every later version of it: the distribution's
 * security updates (`0.11.2-6ubuntu0.1`), CrowdSec's patch releases.
 */
export function releaseLine(version: string): string {
  const match = /^(\d+:)?(\d+)\.(\d+)/.exec(version);
  if (!match) throw new Error(`version \`${version}\` has no major.minor release line`);
  return `${match[1] ?? ""}${match[2]}.${match[3]}.`;
}

/** The file under `/etc/apt/preferences.d/` that keeps an agent on its release line. */
export const aptPreferencesFile = (agent: SecurityAgent) => `/etc/apt/preferences.d/koprogo-observability-${agent}`;

/**
 * apt preferences that keep each pinned package on its release line (`Pin: version 1:6.0.*`, priority 1001:
 * never a newer line, even from another enabled source, and back to the line if something moved it off) while
 * letting apt and unattended-upgrades install later versions of that line. Not `apt-mark hold`: a held package
 * gets no security update, and these are root daemons that parse hostile traffic.
 *
 * Behaviour relied on (apt_preferences(5), apt 2.4 of Ubuntu 22.04 and 2.6 of Debian 12): a `Pin: version` takes a
 * glob; a priority above 1000 installs the pinned version even when it is a downgrade; among versions with the same
 * priority the highest wins. Checked with the real apt in tests/tools/security.aptPin.test.ts.
 */
export function aptPreferences(spec: Pick<AgentSpec, "agent" | "packages">): string {
  return spec.packages
    .filter((p): p is Required<AptPackage> => p.version !== undefined)
    .map((p) =>
      [
        `Explanation: koprogo-observability ${spec.agent}: release line of ${p.version}, security updates included`,
        `Package: ${p.name}`,
        `Pin: version ${releaseLine(p.version)}*`,
        "Pin-Priority: 1001",
      ].join("\n"),
    )
    .join("\n\n")
    .concat("\n");
}

/**
 * Installs the pinned versions (from `repository` when given) unless a version of the same release line at least
 * as new is there already (a security update installed since is kept, never downgraded), writes the release-line
 * preferences, releases any `apt-mark hold` an older deploy left, and checks what dpkg reports.
 */
export function installScript(spec: AgentSpec): string {
  const lines = [STRICT, APT_ENV];
  if (spec.repository) {
    const { name, url, keyUrl } = spec.repository;
    const keyring = `/etc/apt/keyrings/${name}.gpg`;
    lines.push(
      "install -d -m 0755 /etc/apt/keyrings",
      `[ -s ${shellQuote(keyring)} ] || curl -fsSL ${shellQuote(keyUrl)} | gpg --dearmor -o ${shellQuote(keyring)}`,
      // The suite is the host's own release (jammy on Ubuntu 22.04), read at run time.
      // printf, every value a quoted argument: the URL is validated (settings/security.ts) and quoted too.
      `printf 'deb [signed-by=%s] %s %s main\\n' ${shellQuote(keyring)} ${shellQuote(url)} "$(. /etc/os-release && echo "$VERSION_CODENAME")" > ${shellQuote(`/etc/apt/sources.list.d/${name}.list`)}`,
    );
  }
  const pinned = spec.packages.filter((p): p is Required<AptPackage> => p.version !== undefined);
  const unpinned = spec.packages.filter((p) => p.version === undefined).map((p) => shellQuote(p.name));
  const names = spec.packages.map((p) => shellQuote(p.name)).join(" ");
  /** True in sh when the installed version of `p` is on its release line and at least the configured one. */
  const current = (p: Required<AptPackage>) => {
    const minimum = p.version.replace(/\*$/, "");
    const line = releaseLine(p.version).replace(/([^A-Za-z0-9.+~:-])/g, "\\$1");
    return `v=$(dpkg-query -W -f='\${Version}' ${shellQuote(p.name)} 2>/dev/null) && dpkg --compare-versions "$v" ge ${shellQuote(minimum)} && case "$v" in ${line}*) true ;; *) false ;; esac`;
  };
  lines.push(
    // A package that is not installed yet is the stack's from now on (recorded before apt runs, so a failed install
    // is still the stack's to clean up): `destroy` purges only these, and leaves the operator's installed.
    `install -d -m 0755 ${shellQuote(OWNED_PACKAGES_DIR)}`,
    ...spec.packages.map(
      (p) =>
        `dpkg-query -W -f='\${Status}' ${shellQuote(p.name)} 2>/dev/null | grep -q 'ok installed$' || touch ${shellQuote(ownedPackageRecord(p.name))}`,
    ),
    // A hold from an older deploy would keep blocking security updates.
    `apt-mark unhold ${names} >/dev/null 2>&1 || true`,
    `printf '%s' ${shellQuote(aptPreferences(spec))} > ${shellQuote(aptPreferencesFile(spec.agent))}`,
    "apt-get update -q",
    ...(unpinned.length > 0 ? [`apt-get install -y -q --no-install-recommends ${unpinned.join(" ")}`] : []),
    ...pinned.map(
      (p) =>
        `if ! { ${current(p)}; }; then apt-get install -y -q --no-install-recommends --allow-downgrades --allow-change-held-packages ${shellQuote(`${p.name}=${p.version}`)}; fi`,
    ),
    ...pinned.map(
      (p) =>
        `if ! { ${current(p)}; }; then echo "${p.name}: installed \${v:-nothing}, expected ${p.version} or a later version of its release line ${releaseLine(p.version)}*" >&2; exit 1; fi`,
    ),
  );
  return lines.join("\n");
}

/**
 * Purges the packages the stack installed (security/ownership.ts) and its repository: a deleted agent leaves no
 * service, rule chain or apt source of the stack's behind. A package that was there before the stack stays
 * installed, and its services are reloaded without the stack's files (removed just before).
 */
export function removeScript(spec: AgentSpec): string {
  const lines = ["set -u", APT_ENV, "kept=''"];
  for (const p of spec.packages) {
    const name = shellQuote(p.name);
    lines.push(
      `if ${installedByStack(p.name)}; then apt-mark unhold ${name} >/dev/null 2>&1 || true; apt-get purge -y -q ${name} || true; rm -f ${shellQuote(ownedPackageRecord(p.name))}; else kept="$kept ${p.name}"; fi`,
    );
  }
  lines.push(`rm -f ${shellQuote(aptPreferencesFile(spec.agent))}`);
  if (spec.repository) {
    lines.push(
      `rm -f ${shellQuote(`/etc/apt/sources.list.d/${spec.repository.name}.list`)} ${shellQuote(`/etc/apt/keyrings/${spec.repository.name}.gpg`)}`,
    );
  }
  lines.push(
    "systemctl daemon-reload",
    `[ -z "$kept" ] || { echo "koprogo-observability ${spec.agent}: left installed (not installed by the stack):$kept"; systemctl try-reload-or-restart ${spec.services.map(shellQuote).join(" ")} || true; }`,
  );
  return lines.join("\n");
}

/**
 * Creates a log file that its writer has not created yet, owned like its directory (the writer's: PostgreSQL's
 * bind-mounted log directory belongs to the container's postgres user, and its logging collector appends to an
 * existing file), mode 0640. fail2ban refuses to start a jail whose log file is missing (0.11 and 1.x: "Have not
 * found any log file"), and would only pick the file up at the next restart; with the file in place the jail
 * runs from the first deploy and reads the lines as soon as the writer appends them. An existing file is left
 * as it is.
 */
export function ensureLogFileScript(file: string): string {
  const f = shellQuote(file);
  const d = shellQuote(file.slice(0, file.lastIndexOf("/")) || "/");
  return `[ -e ${f} ] || { [ -d ${d} ] || install -d -m 0755 ${d}; install -m 0640 -o "$(stat -c %u ${d})" -g "$(stat -c %g ${d})" /dev/null ${f}; }`;
}

function fail2banSpec(settings: Settings): AgentSpec {
  const { jails } = settings.security.fail2ban;
  const { logs } = settings.security;
  const enabled = (Object.keys(JAILS) as (keyof typeof JAILS)[]).filter((key) => jails[key].enabled);
  // The application's logs may not exist before its first request (Traefik) or restart (PostgreSQL); auth.log
  // is the system's: when it is missing nobody would write it, so the jail check below says so instead.
  const created = { apiAbuse: logs.traefikAccess, postgresql: logs.postgres } as const;
  return {
    agent: "fail2ban",
    packages: [{ name: "fail2ban", version: settings.security.fail2ban.version }],
    apply: [
      STRICT,
      ...enabled.flatMap((key) => (key === "sshd" ? [] : [ensureLogFileScript(created[key])])),
      // The configuration is checked before the running fail2ban is told about it: a bad file never stops the bans in place.
      "fail2ban-client -t >/dev/null",
      "systemctl enable fail2ban >/dev/null 2>&1",
      "systemctl reload-or-restart fail2ban",
      // A jail whose log file is missing does not start: say which, instead of a silent gap.
      ...enabled
        .map((key) => JAILS[key])
        .map(
          (jail) =>
            `timeout 30 sh -c 'until fail2ban-client status ${jail} >/dev/null 2>&1; do sleep 1; done' || { echo "fail2ban jail ${jail} is not running (is its log file there?)" >&2; exit 1; }`,
        ),
    ].join("\n"),
    stop: `if ${installedByStack("fail2ban")}; then systemctl disable --now fail2ban >/dev/null 2>&1 || true; fi`,
    services: ["fail2ban"],
  };
}

/**
 * The bouncer's API key. CrowdSec's repository package puts it into `crowdsec-firewall-bouncer.yaml` at install;
 * Debian's package leaves `api_key: ${API_KEY}` there and writes the key into the `.local` file, which this stack
 * owns and rewrites: the bouncer then got 403 from the local API and stopped (found by the deploy rehearsal; the
 * bouncer does not expand environment variables). So when the placeholder is still there, register a bouncer of
 * our own and put its key where the other packaging does, atomically and root-only. The key never leaves the host.
 */
function bouncerKeyScript(): string[] {
  const config = shellQuote(`/etc/crowdsec/${BOUNCER_CONFIG}`);
  const name = "koprogo-firewall-bouncer";
  return [
    `if grep -q '^api_key: *\${API_KEY}' ${config}; then`,
    `  cscli bouncers delete ${name} >/dev/null 2>&1 || true`,
    `  key=$(cscli --error -oraw bouncers add ${name})`,
    `  [ -n "$key" ] || { echo "cscli gave no API key for the firewall bouncer" >&2; exit 1; }`,
    // mktemp creates the file 0600 (root's): the key is never readable by anyone else, not even for a moment.
    `  tmp=$(mktemp ${config}.XXXXXX) && sed "s|^api_key:.*|api_key: $key|" ${config} > "$tmp" && mv -f "$tmp" ${config}`,
    "fi",
  ];
}

function crowdsecSpec(settings: Settings): AgentSpec {
  const { crowdsec } = settings.security;
  // CrowdSec's repository splits the bouncer by firewall (`-iptables`, `-nftables`); the distributions' archives
  // (Debian 12, Ubuntu 24.04) ship one `crowdsec-firewall-bouncer` whose `mode` is read from its configuration.
  // Found by the deploy rehearsal: with `repository: null` apt could not locate `crowdsec-firewall-bouncer-iptables`.
  const bouncer = crowdsec.repository
    ? `crowdsec-firewall-bouncer-${crowdsec.bouncer.mode}`
    : "crowdsec-firewall-bouncer";
  const packages = [
    { name: "crowdsec", version: crowdsec.version },
    { name: bouncer, version: crowdsec.bouncer.version },
    // What the bouncer's mode drives. Debian's bouncer depends on `nftables | ipset`: on a host with nftables
    // installed apt picks that, and the iptables mode then dies with "unable to find ipset" (found by the deploy
    // rehearsal). Named here, following the distribution like suricata-update.
    ...(crowdsec.bouncer.mode === "iptables" ? [{ name: "ipset" }] : [{ name: "nftables" }]),
  ];
  const packageNames = packages.map((p) => p.name);
  return {
    agent: "crowdsec",
    packages,
    repository: crowdsec.repository
      ? { name: "crowdsec", url: crowdsec.repository.url, keyUrl: crowdsec.repository.keyUrl }
      : undefined,
    fetch: [
      STRICT,
      // Parsers and scenarios for the acquired logs; installing an installed collection changes nothing.
      "cscli hub update >/dev/null",
      `cscli collections install ${crowdsecCollections(settings).map(shellQuote).join(" ")} >/dev/null`,
    ].join("\n"),
    apply: [
      STRICT,
      // crowdsec 1.4.6 only warns about a missing acquisition file (`No matching files for pattern`, measured) and
      // starts without it: created as the fail2ban apply does, so it is read from the first line written.
      ensureLogFileScript(settings.security.logs.traefikAccess),
      ensureLogFileScript(settings.security.logs.postgres),
      // The package's own acquis.yaml, untouched since install, reads auth.log (and the journal's sshd lines) that
      // the stack's acquisitions read: emptied, as the stack always replaced it. An operator's is never touched
      // (security/coexist.ts refuses it when it reads one of the stack's files).
      ...pristineFunction(packageNames),
      `if pristine ${shellQuote(PACKAGED_ACQUISITIONS)}; then printf '%s\\n' ${shellQuote(`${OWNED_MARK_LINE} The stack's acquisitions are in acquis.d/.`)} > ${shellQuote(PACKAGED_ACQUISITIONS)}; fi`,
      "systemctl daemon-reload",
      "crowdsec -c /etc/crowdsec/config.yaml -t",
      "systemctl enable crowdsec crowdsec-firewall-bouncer >/dev/null 2>&1",
      // A restart, not a reload: the metrics listen address is read at start only.
      "systemctl restart crowdsec",
      ...bouncerKeyScript(),
      "systemctl restart crowdsec-firewall-bouncer",
    ].join("\n"),
    stop: `if ${installedByStack("crowdsec")}; then systemctl disable --now crowdsec-firewall-bouncer crowdsec >/dev/null 2>&1 || true; fi`,
    services: ["crowdsec", "crowdsec-firewall-bouncer"],
  };
}

function suricataSpec(settings: Settings): AgentSpec {
  const include = shellQuote(SURICATA_INCLUDE_LINE);
  const config = shellQuote(SURICATA_PATHS.packagedConfig);
  return {
    agent: "suricata",
    packages: [
      { name: "suricata", version: settings.security.suricata.version },
      // suricata-update is its own package on Ubuntu; it only fetches rules, so it follows the distribution.
      { name: "suricata-update" },
    ],
    fetch: [
      STRICT,
      "suricata-update update-sources >/dev/null",
      ...settings.security.suricata.ruleSources.map(
        (source) => `suricata-update enable-source ${shellQuote(source)} >/dev/null`,
      ),
      // Fetches the rules, merges the local ones, and has Suricata test the result before it is installed.
      "suricata-update",
    ].join("\n"),
    apply: [
      // First the capture interfaces, found on the host (suricataCapture.ts; it starts with `set -eu`): a name
      // that cannot be found stops the apply before the include line or a rule is touched.
      captureScript(settings),
      `grep -qxF ${include} ${config} || printf '\\n%s\\n' ${include} >> ${config}`,
      "systemctl daemon-reload",
      `suricata -T -c ${config} >/dev/null`,
      "systemctl enable suricata >/dev/null 2>&1",
      `systemctl enable --now ${SURICATA_UPDATE_UNIT}.timer >/dev/null 2>&1`,
      // A restart: the capture interface is read at start only (rule changes alone would only need a reload).
      "systemctl restart suricata",
    ].join("\n"),
    services: ["suricata"],
    stop: [
      `systemctl disable --now ${SURICATA_UPDATE_UNIT}.timer >/dev/null 2>&1 || true`,
      `if ${installedByStack("suricata")}; then systemctl disable --now suricata >/dev/null 2>&1 || true; fi`,
      `sed -i '\\#^${SURICATA_INCLUDE_LINE}$#d' ${config} 2>/dev/null || true`,
      // Written by the apply, not by the files: removed here with the include that reads it.
      `rm -f ${shellQuote(SURICATA_PATHS.capture)}`,
    ].join("\n"),
  };
}

/** The spec of an agent for these settings. */
export function agentSpec(agent: SecurityAgent, settings: Settings): AgentSpec {
  switch (agent) {
    case "fail2ban":
      return fail2banSpec(settings);
    case "crowdsec":
      return crowdsecSpec(settings);
    case "suricata":
      return suricataSpec(settings);
  }
}
