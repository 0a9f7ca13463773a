/** Prometheus's command line, as the component runs it in its container. */
import { SERVICE_PORTS, type Settings } from "../settings";
import { webConfigFile } from "../webauth/paths";
import { PROMETHEUS_PATHS } from "./paths";

/**
 * Command-line flags: retention by time and size, and the web config (basic auth on every endpoint). No
 * `--web.enable-lifecycle`: `/-/quit` and `/-/reload` would let any caller with a login stop Prometheus; a
 * config change is a SIGHUP from the host instead (signalContainerScript).
 */
export function prometheusFlags(settings: Pick<Settings, "prometheus">): string[] {
  const { retention, retentionSize, externalUrl } = settings.prometheus;
  return [
    `--config.file=${PROMETHEUS_PATHS.config}`,
    `--storage.tsdb.path=${PROMETHEUS_PATHS.data}`,
    `--storage.tsdb.retention.time=${retention}`,
    `--storage.tsdb.retention.size=${retentionSize}`,
    `--web.config.file=${webConfigFile("prometheus").inContainer}`,
    `--web.listen-address=:${SERVICE_PORTS.prometheus}`,
    ...(externalUrl ? [`--web.external-url=${externalUrl}`] : []),
  ];
}
