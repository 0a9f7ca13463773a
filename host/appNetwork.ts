/**
 * The application's network as its Compose project really named it. KoproGo's Compose files declare
 * `koprogo-network` without `name:`, so Docker calls it `<project>_koprogo-network` (the project is the first
 * Compose file's folder unless `-p` or `COMPOSE_PROJECT_NAME` sets it). Before any container joins
 * `docker.network.name`, a check on the host reads the backend container's networks (`docker inspect`) and refuses,
 * naming the network it is really on and the setting to change, when the configured one is not among them.
 */
import { shellQuote } from "./scripts";

/**
 * The container whose networks tell the application's: the backend's, from `targets.api.address` (`host:port`).
 * `undefined` when the address is no container name (an IP address or `localhost`).
 */
export function backendContainer(apiAddress: string): string | undefined {
  const host = apiAddress.slice(0, apiAddress.lastIndexOf(":"));
  if (host === "localhost" || /^[\d.]+$/.test(host) || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(host)) return undefined;
  return host;
}

/**
 * A POSIX shell check, run on the Docker host: exits 0 when `container` is on `network`; otherwise prints why and
 * what to set on stderr and exits 1. `docker inspect`'s template lists the container's networks by name
 * (`.NetworkSettings.Networks` is a map keyed by network name).
 */
export function appNetworkCheckScript(network: string, container: string, docker = "docker"): string {
  const setting = "koprogo-observability:docker.network.name";
  return [
    "set -u",
    `want=${shellQuote(network)}`,
    `container=${shellQuote(container)}`,
    `if ! nets=$(${docker} inspect -f '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}' "$container" 2>/dev/null); then`,
    `  echo "docker.network: the backend container $container does not exist on this host, so the application's network cannot be checked: start the application first, or set targets.api.address to its backend container" >&2`,
    "  exit 1",
    "fi",
    'for net in $nets; do [ "$net" = "$want" ] && exit 0; done',
    "first=${nets%% *}",
    `echo "docker.network: the application's network is not \\"$want\\": $container is on $nets. Compose names a network <project>_<name> when its file gives no name:. Set ${setting} to \\"$first\\" (pulumi config set --path docker.network.name $first) and run pulumi up again." >&2`,
    "exit 1",
  ].join("\n");
}
