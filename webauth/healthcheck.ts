/**
 * Docker healthchecks of the servers behind a login: `/-/healthy` answers 401 without one, so the check signs in
 * with the server's own login, read from its file inside the container at check time. The password is then in
 * neither the container's definition (`docker inspect`) nor the Pulumi state; it is in the process list of the
 * container only while busybox's wget runs (same uid as the server, which can read the file anyway).
 *
 * busybox's wget takes `user:password@` in the URL as basic auth (FEATURE_WGET_AUTHENTICATION, on in the
 * prom/busybox base of the Prometheus, Alertmanager and exporter images). The generated passwords are letters and
 * digits, so nothing in them needs URL escaping.
 */
import type { WebConfigServer } from "../contract/webAccess";
import { passwordFile } from "./paths";

/**
 * `["CMD", "sh", "-c", ...]` that GETs `http://<address><path>` with the server's own login. `https` for a server
 * behind TLS (a further host's node exporter): busybox's wget speaks TLS itself (FEATURE_WGET_HTTPS, busybox ≥
 * 1.31) and does not validate the certificate, which a check of the server's own address from inside its own
 * network namespace does not need.
 */
export function authenticatedHealthcheck(
  server: WebConfigServer,
  address: string,
  path: string,
  scheme: "http" | "https" = "http",
): string[] {
  const file = passwordFile(server, server).inContainer;
  return ["CMD", "sh", "-c", `wget -q --spider "${scheme}://${server}:$(cat ${file})@${address}${path}"`];
}
