/** Alertmanager's command line, as the component runs it in its container (one peer of a cluster or alone). */
import { SERVICE_PORTS, type Settings } from "../settings";
import { monitoringHostName } from "../settings/hosts";
import { webConfigFile } from "../webauth/paths";
import { clusterFlags } from "./cluster";
import { ALERTMANAGER_PATHS } from "./paths";

/** The URL notification links (silences) point at: the external URL, else the loopback port an SSH tunnel reaches. */
export function alertmanagerExternalUrl(settings: Pick<Settings, "alertmanager">): string {
  return (
    settings.alertmanager.externalUrl ??
    `http://127.0.0.1:${settings.alertmanager.hostPort ?? SERVICE_PORTS.alertmanager}`
  );
}

/**
 * Command-line flags: config, data, the URL links use, the web config (basic auth on every endpoint: nobody
 * without a login can silence, post alerts or read them), and the cluster: none for one Alertmanager (gossip would
 * only open a port), else this peer's gossip flags (`alertmanager/cluster.ts`).
 */
export function alertmanagerFlags(
  settings: Pick<Settings, "alertmanager" | "alloy" | "hosts">,
  peer = monitoringHostName(settings),
): string[] {
  return [
    `--config.file=${ALERTMANAGER_PATHS.config}`,
    `--storage.path=${ALERTMANAGER_PATHS.data}`,
    `--web.listen-address=:${SERVICE_PORTS.alertmanager}`,
    `--web.external-url=${alertmanagerExternalUrl(settings)}`,
    `--web.config.file=${webConfigFile("alertmanager").inContainer}`,
    ...clusterFlags(settings, peer),
  ];
}
