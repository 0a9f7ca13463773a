/** The script `up` runs on its own machine before the Grafana provider calls Grafana's API (components/grafana.ts). */
import { waitForHttpScript } from "../host/scripts";
import { containerName, networkName, type Settings } from "../settings";
import { grafanaApiUrl } from "./config";

/**
 * How long `up` waits for Grafana's API at the provider's URL: a new container migrates its database, Traefik
 * routes it once its healthcheck passes, and Let's Encrypt issues the first certificate (tens of seconds).
 */
export const GRAFANA_READY_TIMEOUT_SECONDS = 300;

/**
 * Waits until Grafana answers `/api/health` with its database ready at `apiUrl`, asked from the machine running
 * `pulumi up` with curl: the way the Grafana provider goes next (through Traefik and its certificate when a
 * domain is set). The provider's own retries cover connection errors only, not Traefik's 404 before it routes
 * the container, nor its default certificate before Let's Encrypt's. Fails with what to check.
 */
export function waitForGrafanaApiScript(
  settings: Pick<Settings, "grafana" | "alerts" | "docker" | "namePrefix">,
  timeoutSeconds = GRAFANA_READY_TIMEOUT_SECONDS,
  pollSeconds = 3,
): string {
  const apiUrl = grafanaApiUrl(settings);
  const container = containerName(settings, "grafana");
  const { domain } = settings.grafana;
  const hint = domain
    ? `Traefik routes Grafana once its healthcheck passes (on the VPS: docker inspect -f '{{.State.Health.Status}}' ${container}); check that ${domain} resolves to the VPS, that Traefik (${settings.grafana.traefik.container}) is on the network ${networkName(settings, "grafanaIngress")} (docker network connect ${networkName(settings, "grafanaIngress")} ${settings.grafana.traefik.container}; name it in the application's Compose file so a re-created Traefik keeps it), and Traefik's log for the Let's Encrypt certificate of ${domain}.`
    : `Check that ${container} runs (docker ps) and that ${apiUrl} reaches its port (grafana.hostPort, or the SSH tunnel of grafana.apiUrl).`;
  return waitForHttpScript(`${apiUrl}/api/health`, {
    timeoutSeconds,
    pollSeconds,
    bodyPattern: '"database": *"ok"',
    hint,
  });
}
