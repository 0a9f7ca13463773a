/** `prometheus.yml`: global intervals, rule files, Alertmanager, scrape jobs. Valid for Prometheus 2.42 and 3.x. */
import { toYaml } from "../render/yaml";
import { alertmanagerTargets, furtherHostsNodeJob, remoteWriteConfig, scaleExternalLabels } from "./scale";
import { durationToMs, type Settings } from "../settings";
import { PROMETHEUS_PATHS } from "./paths";
import { basicAuthTo, scrapeJobs } from "./scrapeJobs";

export function prometheusConfig(settings: Settings) {
  const { scrapeInterval, evaluationInterval } = settings.prometheus;
  return {
    global: {
      scrape_interval: scrapeInterval,
      // A scrape must end before the next one starts.
      scrape_timeout: scrapeTimeout(scrapeInterval),
      evaluation_interval: evaluationInterval,
      external_labels: { environment: settings.environment, ...scaleExternalLabels(settings) },
    },
    rule_files: [PROMETHEUS_PATHS.rulesGlob],
    alerting: {
      // Alertmanager refuses unauthenticated alerts: Prometheus signs in with its own login, on every peer.
      alertmanagers: [
        { basic_auth: basicAuthTo("alertmanager"), static_configs: [{ targets: alertmanagerTargets(settings) }] },
      ],
    },
    scrape_configs: [...scrapeJobs(settings), ...optional(furtherHostsNodeJob(settings))],
    ...(remoteWriteConfig(settings) ? { remote_write: remoteWriteConfig(settings) } : {}),
  };
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

/** 10 s, or the scrape interval when it is shorter. */
function scrapeTimeout(interval: string): string {
  return durationToMs(interval) < 10_000 ? interval : "10s";
}

export function prometheusYaml(settings: Settings): string {
  return toYaml(prometheusConfig(settings));
}
