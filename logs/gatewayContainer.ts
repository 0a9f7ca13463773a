/** The log gateway's container command and healthcheck (nginx, logs/gateway.ts), run by components/logGateway.ts. */
import type { Settings } from "../settings";
import { LOG_GATEWAY_CONTAINER_PATHS, LOG_GATEWAY_FILES, LOKI_PUSH_PATH } from "./gateway";

/**
 * nginx itself, not the image's `nginx` command: the image's entrypoint runs its `/docker-entrypoint.d` scripts
 * (which rewrite the default site) only when the first argument is `nginx`. `-e stderr` before the config is read.
 */
export function logGatewayCommand(): string[] {
  return ["/usr/sbin/nginx", "-e", "stderr", "-c", `${LOG_GATEWAY_CONTAINER_PATHS.dir}/${LOG_GATEWAY_FILES.config}`];
}

/**
 * Healthy when TLS is up and a push without a login is refused with 401 (the image has curl). `-k`: the check
 * dials 127.0.0.1, which is no SAN of the certificate; what it proves is that the gateway serves and asks for a login.
 */
export function logGatewayHealthcheck(settings: Pick<Settings, "logGateway">): string[] {
  const url = `https://127.0.0.1:${settings.logGateway.port}${LOKI_PUSH_PATH}`;
  return ["CMD", "sh", "-c", `test "$(curl -sk -o /dev/null -w '%{http_code}' -X POST ${url})" = 401`];
}
