/** Prometheus's files on the host: its configuration and the bearer token file. Rules come from `alerts/`. */
import type { FileRenderer } from "../render/types";
import { prometheusYaml } from "./config";

export const renderPrometheusFiles: FileRenderer = (settings, secrets) => [
  { path: "prometheus/prometheus.yml", content: prometheusYaml(settings) },
  ...(settings.targets.api.bearerToken
    ? [{ path: "prometheus/secrets/metrics-bearer-token", content: secrets.metricsBearerToken ?? "", secret: true }]
    : []),
  ...(settings.targets.minio?.bearerToken
    ? [{ path: "prometheus/secrets/minio-metrics-token", content: secrets.minioMetricsToken ?? "", secret: true }]
    : []),
];
