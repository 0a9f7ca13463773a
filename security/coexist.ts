/**
 * Living beside an operator's own fail2ban, CrowdSec and Suricata (KoproGo's Ansible roles `hardening` and
 * `security` install all three, with jails in `jail.d/koprogo.conf`, filters in `filter.d/`, CrowdSec from its own
 * repository with the acquisitions its installer detected, Suricata from a PPA with `rules/local.rules`).
 *
 * The stack owns only the files it names (`security/files.ts`), each marked as its own by `OWNED_MARK` on its
 * first lines, and the packages it installed itself (a record under `OWNED_PACKAGES_DIR`). Before anything is
 * installed or written, a check on the host (`coexistScript`) finds what is already there and refuses, naming the
 * file and the setting to change, when the stack would overwrite a file that is not its own, take over a package at
 * a version it did not install, define a fail2ban jail the operator already defines (fail2ban would merge the two
 * key by key), or read a log file a second time in CrowdSec (every line counted twice). It prints what it will
 * write and what it leaves alone. Nothing is written when it refuses.
 *
 * A file counts as the operator's unless it carries the mark, is byte for byte what the stack writes, or is a
 * package's configuration file as the package shipped it (`dpkg-query`'s `Conffiles` md5: Debian's packaged
 * `acquis.yaml` and `profiles.yaml`, `jail.d/defaults-debian.conf`), which the stack may replace as before.
 */
import { contentHash, shellQuote } from "../host/scripts";
import type { Settings } from "../settings";
import { releaseLine, type AgentSpec } from "./agents";
import { acquisitions, BOUNCER_CONFIG } from "./crowdsec";
import { JAILS } from "./fail2ban";
import type { SecurityAgent } from "./files";
import { localRules } from "./suricataRules";
import { OLDER_MARK, OWNED_MARK, ownedPackageRecord, pristineFunction } from "./ownership";
import { SURICATA_INCLUDE_LINE, SURICATA_PATHS } from "./suricata";

/** The setting that pins each package's version, for messages. */
function versionSetting(agent: SecurityAgent, packageName: string): string {
  if (agent === "crowdsec" && packageName.startsWith("crowdsec-firewall-bouncer"))
    return "security.crowdsec.bouncer.version";
  return `security.${agent}.version`;
}

/** Files shared with the package or the operator, and what to do when theirs is there. */
const SHARED_FILE_ADVICE: Record<string, string> = {
  "/etc/crowdsec/acquis.yaml":
    "Move the acquisitions you need to files of your own in /etc/crowdsec/acquis.d/ (read as well), leaving out the log files the stack reads, then remove acquis.yaml",
  "/etc/crowdsec/profiles.yaml":
    "The stack's profiles ban for security.crowdsec.banDuration: merge your profiles (notifications, durations) into the stack's by removing yours, or keep yours by setting security.crowdsec.enabled to false",
  "/etc/crowdsec/config.yaml.local":
    "Move its settings into /etc/crowdsec/config.yaml, then remove it: the stack keeps its metrics listener there",
  [`/etc/crowdsec/${BOUNCER_CONFIG}.local`]:
    "Move its settings into the bouncer's own crowdsec-firewall-bouncer.yaml, then remove it",
  "/etc/suricata/update.yaml":
    "suricata-update reads one update.yaml: move your settings into the stack's (security.suricata.ruleSources), then remove it",
};

/**
 * Files a package's maintainer script writes at install (so dpkg lists no md5 for them), as it writes them: the
 * package's, not the operator's, so the stack replaces them as it always did. Debian's crowdsec postinst writes
 * `config.yaml.local` with its SQLite WAL choice (read in crowdsec 1.4.6-6's postinst); the stack's file replaces
 * it (the database then runs with CrowdSec's default).
 */
const PACKAGE_WRITTEN: Record<string, readonly string[]> = {
  "/etc/crowdsec/config.yaml.local": ["true", "false"].map(
    (wal) => `# Optimization for sqlite, see README.Debian:\ndb_config:\n  use_wal: ${wal}\n`,
  ),
};

export interface CoexistFile {
  /** Absolute path on the host. */
  readonly path: string;
  readonly content: string;
}

/**
 * The check that runs on the host before the agent's install step (as root, POSIX sh): exits 0 after printing what
 * the stack writes and what it leaves alone, or 1 with every refusal on stderr. `files` are the agent's files as
 * they land on the host (marked).
 */
export function coexistScript(
  spec: Pick<AgentSpec, "agent" | "packages">,
  settings: Settings,
  files: readonly CoexistFile[],
): string {
  const { agent } = spec;
  const q = shellQuote;
  const lines = [
    "set -u",
    "refused=''",
    "notes=''",
    `refuse() { refused="$refused  - $1\n"; }`,
    `note() { notes="$notes  - $1\n"; }`,
    `owned() { grep -qF -e ${q(OWNED_MARK)} -e ${q(OLDER_MARK)} "$1" 2>/dev/null; }`,
    // A package's configuration file as the package shipped it (its md5 in dpkg's Conffiles list).
    ...pristineFunction(spec.packages.map((p) => p.name)),
    // The operator's: not marked, not what the stack writes, not a package's untouched file.
    `theirs() { [ -f "$1" ] && ! owned "$1" && ! pristine "$1"; }`,
  ];

  // Packages: never take over a version the stack did not install.
  for (const p of spec.packages) {
    const record = q(ownedPackageRecord(p.name));
    if (p.version === undefined) {
      lines.push(
        `if dpkg-query -W -f='\${Status}' ${q(p.name)} 2>/dev/null | grep -q 'ok installed$' && [ ! -e ${record} ]; then note "${p.name} was installed before the stack: kept, and left installed by pulumi destroy"; fi`,
      );
      continue;
    }
    const line = releaseLine(p.version);
    const pattern = line.replace(/([^A-Za-z0-9.+~:-])/g, "\\$1");
    lines.push(
      `if v=$(dpkg-query -W -f='\${Status} \${Version}' ${q(p.name)} 2>/dev/null) && case "$v" in *'ok installed '*) true ;; *) false ;; esac; then`,
      `  v=\${v##* }`,
      `  if [ -e ${record} ]; then note "${p.name} $v: installed by the stack";`,
      `  else case "$v" in ${pattern}*) note "${p.name} $v was installed before the stack: kept on its release line ${line}* (apt preferences), never purged by pulumi destroy" ;;`,
      `    *) refuse "${p.name} $v is installed, not by the stack, and is not on the release line it deploys (${line}*): the stack never changes the version of a package it did not install. Set koprogo-observability:${versionSetting(agent, p.name)} to $v to keep it (docs/operator/host-agents.md, coexistence)" ;; esac`,
      "  fi",
      "fi",
    );
  }

  // Files: the stack's own, or nothing there, or a package's untouched one.
  for (const file of files) {
    const advice = SHARED_FILE_ADVICE[file.path] ?? "Rename or remove it (it is not read by anything of the stack)";
    const accepted = [file.content, ...(PACKAGE_WRITTEN[file.path] ?? [])].map((c) => q(contentHash(c)));
    lines.push(
      `if theirs ${q(file.path)} && ! case "$(sha256sum < ${q(file.path)} | cut -d' ' -f1)" in ${accepted.join("|")}) true ;; *) false ;; esac; then refuse ${q(`${file.path} exists and is not the stack's (no "${OWNED_MARK}" line): the stack never overwrites it. ${advice}, then run pulumi up again`)}; fi`,
    );
  }

  if (agent === "fail2ban") lines.push(...fail2banChecks(settings, files));
  if (agent === "crowdsec") lines.push(...crowdsecChecks(settings, files));
  if (agent === "suricata") lines.push(...suricataChecks(settings, files));

  const written = files.map((f) => f.path).join(" ");
  lines.push(
    'if [ -n "$refused" ]; then',
    `  printf '%s\\n%b' ${q(`koprogo-observability ${agent}: refused, nothing installed or written (the operator's files stay as they are):`)} "$refused" >&2`,
    '  [ -z "$notes" ] || printf \'also seen:\\n%b\' "$notes" >&2',
    "  exit 1",
    "fi",
    `printf '%s\\n' ${q(`koprogo-observability ${agent}: writes only its own files: ${written}`)}`,
    `[ -z "$notes" ] || printf 'left as they are:\\n%b' "$notes"`,
    "exit 0",
  );
  return lines.join("\n");
}

/** Runs `body` (which reads `$f`) for every jail file of the operator's: jail.local, jail.d/*.conf, jail.d/*.local. */
function forOperatorJailFiles(ours: readonly string[], body: string[]): string[] {
  return [
    "for f in /etc/fail2ban/jail.local /etc/fail2ban/jail.d/*.conf /etc/fail2ban/jail.d/*.local; do",
    `  case "$f" in ${ours.map(shellQuote).join("|")}) continue ;; esac`,
    '  theirs "$f" || continue',
    ...body.map((l) => `  ${l}`),
    "done",
  ];
}

/**
 * A jail of the stack's that the operator also defines would be merged with theirs key by key (fail2ban reads
 * every `[name]` section of every jail file into one): refused, naming the file and the setting. A jail of theirs on
 * a log file the stack's jails read is noted (two jails ban one client twice).
 */
function fail2banChecks(settings: Settings, files: readonly CoexistFile[]): string[] {
  const { jails } = settings.security.fail2ban;
  const { logs } = settings.security;
  const ours = files.map((f) => f.path);
  const keys = (Object.keys(JAILS) as (keyof typeof JAILS)[]).filter((key) => jails[key].enabled);
  const logOf = { sshd: logs.auth, apiAbuse: logs.traefikAccess, postgresql: logs.postgres } as const;
  return forOperatorJailFiles(ours, [
    ...keys.map(
      (key) =>
        `grep -Eq ${shellQuote(`^[[:space:]]*\\[${JAILS[key]}\\][[:space:]]*$`)} "$f" && refuse "fail2ban: the jail [${JAILS[key]}] is already defined in $f; the stack's jail of that name would be merged into it key by key. Keep yours: set koprogo-observability:security.fail2ban.jails.${key}.enabled to false; or take the stack's: remove [${JAILS[key]}] from $f"`,
    ),
    ...[...new Set(keys.map((key) => logOf[key]))].map(
      (log) =>
        `grep -Eq ${shellQuote(`^[[:space:]]*logpath[[:space:]]*=[[:space:]]*${log.replace(/[.]/g, "\\.")}[[:space:]]*$`)} "$f" && note "fail2ban: $f has a jail on ${log} too, as the stack's do: a client may be banned by both"`,
    ),
  ]);
}

/** A log file CrowdSec acquires twice counts every line twice: refused when an acquisition of the operator's reads one of the stack's. */
function crowdsecChecks(settings: Settings, files: readonly CoexistFile[]): string[] {
  const ours = files.map((f) => f.path);
  return [
    "for f in /etc/crowdsec/acquis.yaml /etc/crowdsec/acquis.d/*.yaml /etc/crowdsec/acquis.d/*.yml; do",
    `  case "$f" in ${ours.map(shellQuote).join("|")}) continue ;; esac`,
    '  theirs "$f" || continue',
    ...acquisitions(settings).flatMap((a) =>
      a.filenames.map(
        (file) =>
          `  grep -Eq ${shellQuote(`^[[:space:]]*(-|filename:)[[:space:]]*${file.replace(/[.]/g, "\\.")}[[:space:]]*$`)} "$f" && refuse "crowdsec: $f already reads ${file}, which the stack reads too (type ${a.labels.type}): every line would count twice. Remove ${file} from $f"`,
      ),
    ),
    "done",
  ];
}

/** What the stack changes in Suricata's own configuration, and rules of the operator's that share its sids. */
function suricataChecks(settings: Settings, files: readonly CoexistFile[]): string[] {
  const config = shellQuote(SURICATA_PATHS.packagedConfig);
  const ours = files.map((f) => f.path);
  const sids = localRules(settings).map((r) => r.sid);
  return [
    `if grep -qxF ${shellQuote(SURICATA_INCLUDE_LINE)} ${config} 2>/dev/null; then note "suricata: ${SURICATA_PATHS.packagedConfig} already includes the stack's overrides"; else note ${shellQuote(`suricata: the stack adds one line, \`${SURICATA_INCLUDE_LINE}\`, at the end of ${SURICATA_PATHS.packagedConfig} (removed by pulumi destroy); its vars, af-packet, rule-files, default-rule-path and default-log-dir are then the stack's`)}; fi`,
    "for f in /etc/suricata/rules/*.rules; do",
    `  case "$f" in ${ours.map(shellQuote).join("|")}) continue ;; esac`,
    '  theirs "$f" || continue',
    `  shared=$(grep -oE 'sid: *[0-9]+' "$f" | tr -dc '0-9\\n' | grep -xE ${shellQuote(sids.join("|"))} | tr '\\n' ' ')`,
    `  [ -z "$shared" ] || note "suricata: $f uses the sids \${shared% } which the stack's rules use too; Suricata loads only one rule per sid, so keep that file out of suricata-update's sources (it is, unless you added it)"`,
    "done",
  ];
}
