/**
 * Which interfaces Suricata captures is the host's business, not the stack's: Ubuntu VPS images name the public
 * interface `ens3` or `enp1s0` (rarely `eth0`), and Docker names a user network's bridge after the network's id.
 * So the names are found when the agent is applied, by the POSIX `sh` script below, and written into the capture
 * template's tokens (`captureTemplate` in `./suricata`). A name from the settings is used as is, after checking
 * that the interface exists. Every failure stops the apply before Suricata is touched, with the setting to change.
 *
 * Behaviour relied on:
 * - `ip -4 route show default` (iproute2) prints `default via <gw> dev <name> ...`, or for a multipath route a
 *   first line without `dev` and one `nexthop via <gw> dev <name> ...` line per path; routes are listed by
 *   ascending metric, so the first `dev` is the preferred path. `ip -6` is read when there is no IPv4 default.
 * - `/sys/class/net/<name>` exists exactly for the interfaces of the host's network namespace.
 * - Docker names a user-defined bridge network's interface `br-` + the first 12 characters of the network id
 *   (libnetwork's bridge driver), unless the network sets the `com.docker.network.bridge.name` option (the default
 *   `bridge` network sets it to `docker0`). `docker network inspect --format` runs a Go template: `index` of a
 *   missing map key gives the empty string.
 */
import { shellQuote } from "../host/scripts";
import type { Settings } from "../settings";
import { CAPTURE_TOKENS, SURICATA_PATHS } from "./suricata";

/** Where the script reads the template and writes the capture file (the host's paths unless a test says otherwise). */
export interface CapturePaths {
  readonly template: string;
  readonly output: string;
}

/**
 * Shell functions of the script. `koprogo_ifname_ok` is `isInterfaceName` of the settings in `sh`: a name read
 * from `ip` or Docker goes into a YAML scalar and `sed`, so it is held to the same rule as a configured one.
 */
export const CAPTURE_FUNCTIONS = [
  'koprogo_fail() { echo "suricata: $*" >&2; exit 1; }',
  'koprogo_ifname_ok() { [ "${#1}" -ge 1 ] && [ "${#1}" -le 15 ] || return 1; case "$1" in -*|.|..|*[!A-Za-z0-9_.-]*) return 1 ;; esac; }',
  // The interfaces of this host, for the error messages.
  "koprogo_ifnames() { ls /sys/class/net | tr '\\n' ' '; }",
  // `<id> <bridge name option>` (docker network inspect) -> the bridge's interface name.
  'koprogo_bridge_of() { id=${1%% *}; opt=${1#"$id"}; opt=${opt# }; case "$opt" in ""|"<no value>") printf "br-%.12s\\n" "$id" ;; *) printf "%s\\n" "$opt" ;; esac; }',
  // The interface of the default route: IPv4 first, else IPv6.
  'koprogo_default_dev() { for family in -4 -6; do dev=$(ip "$family" route show default 2>/dev/null | sed -n \'s/.* dev \\([^ ]*\\).*/\\1/p\' | head -n 1); [ -n "$dev" ] && { printf \'%s\\n\' "$dev"; return 0; }; done; return 1; }',
] as const;

/** Checks that a resolved name is valid and exists, naming `key` when it does not. */
function checkInterface(variable: string, key: string, what: string): string[] {
  return [
    `koprogo_ifname_ok "$${variable}" || koprogo_fail "${what} '$${variable}' is not a usable interface name (${key})"`,
    `[ -d "/sys/class/net/$${variable}" ] || koprogo_fail "${what} '$${variable}' (${key}) does not exist on this host; its interfaces: $(koprogo_ifnames). Set ${key} to one of them"`,
  ];
}

function publicInterfaceLines(settings: Settings): string[] {
  const key = "security.publicInterface";
  const configured = settings.security.publicInterface;
  const resolve =
    configured === "auto"
      ? `public=$(koprogo_default_dev) || koprogo_fail "no default route to find the public interface from (${key}: auto); set ${key} to the interface name (ip -br link)"`
      : `public=${shellQuote(configured)}`;
  return [resolve, ...checkInterface("public", key, "the public interface")];
}

function appBridgeLines(settings: Settings): string[] {
  const key = "security.suricata.appBridge";
  const configured = settings.security.suricata.appBridge;
  if (configured === null) return [];
  if (configured !== "auto")
    return [`bridge=${shellQuote(configured)}`, ...checkInterface("bridge", key, "the application bridge")];
  const network = settings.docker.network.name;
  const advice = `set ${key} to the bridge's interface name (ip -br link | grep br-), or null to capture the public interface only`;
  return [
    `command -v docker >/dev/null 2>&1 || koprogo_fail "no docker command to find the bridge of the Docker network ${network} (docker.network.name, ${key}: auto); ${advice}"`,
    `inspect=$(docker network inspect --format '{{.Id}} {{index .Options "com.docker.network.bridge.name"}}' ${shellQuote(network)} 2>&1) || koprogo_fail "cannot inspect the Docker network ${network} (docker.network.name): $inspect; ${advice}"`,
    'bridge=$(koprogo_bridge_of "$inspect")',
    ...checkInterface("bridge", `${key} (auto, from docker.network.name ${network})`, "the application bridge"),
    `[ "$bridge" != "$public" ] || koprogo_fail "the application bridge and the public interface are both '$bridge': set ${key}"`,
  ];
}

/**
 * The script: resolve the names, then write the capture file from the template (through a temporary file and
 * `mv`, so Suricata never reads half a file), and print the names for the deploy log.
 */
export function captureScript(
  settings: Settings,
  paths: CapturePaths = { template: SURICATA_PATHS.captureTemplate, output: SURICATA_PATHS.capture },
): string {
  const bridge = settings.security.suricata.appBridge !== null;
  const substitutions = [
    `-e "s/${CAPTURE_TOKENS.publicInterface}/$public/"`,
    ...(bridge ? [`-e "s/${CAPTURE_TOKENS.appBridge}/$bridge/"`] : []),
  ].join(" ");
  const output = shellQuote(paths.output);
  const temporary = shellQuote(`${paths.output}.tmp`);
  return [
    "set -eu",
    ...CAPTURE_FUNCTIONS,
    ...publicInterfaceLines(settings),
    ...appBridgeLines(settings),
    `sed ${substitutions} ${shellQuote(paths.template)} > ${temporary}`,
    // The template and this script come from the same settings; a token left means they do not (a half-applied
    // deploy): stop rather than hand Suricata an interface named after a token.
    `! grep -q 'KOPROGO_[A-Z_]*' ${temporary} || { rm -f ${temporary}; koprogo_fail "${paths.template} has an interface token this script does not fill: apply the agent's files and this script from the same settings"; }`,
    `mv -f ${temporary} ${output}`,
    `echo "suricata captures: $public${bridge ? " $bridge" : ""}"`,
  ].join("\n");
}
