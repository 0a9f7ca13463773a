/**
 * Connects the application's Traefik to the stack's Grafana network (`<namePrefix>-grafana-ingress`), the one
 * network Traefik reaches Grafana on (contract/networks.ts `grafanaIngress`): Grafana is not on the application's
 * network, where any container with `CAP_NET_RAW` could read Grafana's logins off the wire by ARP spoofing.
 *
 * Behaviour relied on (Docker CLI 20.10+): `docker network connect` adds a network to a running container without
 * restarting it and fails when the container is already connected, hence the check first; a container re-created
 * by `docker compose up` loses a network that its Compose file does not name (docs/operator/deploying.md says to add it).
 */
import { shellQuote } from "../host/scripts";
import { requireRunningLines } from "./runningCheck";

export function joinTraefikScript(container: string, network: string, docker = "docker"): string {
  const c = shellQuote(container);
  const n = shellQuote(network);
  return [
    "set -eu",
    ...requireRunningLines(
      container,
      `the application's Traefik (${container}, grafana.traefik.container) is not running: Grafana is published through it; start it and run pulumi up again`,
      docker,
    ),
    `if ${docker} inspect -f '{{range $name, $_ := .NetworkSettings.Networks}}{{println $name}}{{end}}' ${c} | grep -qxF ${n}; then`,
    "  exit 0",
    "fi",
    `${docker} network connect ${n} ${c}`,
  ].join("\n");
}
