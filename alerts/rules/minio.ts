/**
 * MinIO, the application's object store (job `minio`, its cluster metrics at `/minio/v2/metrics/cluster`): down,
 * and its usable capacity running out. KoproGo's own rules watch both (`MinIODown`, `MinIODiskSpaceLow`).
 * Empty when `targets.minio` is null.
 */
import { logSelector } from "../../contract/links";
import { LOG_JOBS } from "../../contract/logs";
import type { Settings } from "../../settings";
import { monitoringConfig, percent } from "../config";
import type { RuleFile } from "../types";
import { alertRule } from "./common";

export function minioRuleFile(settings: Settings): RuleFile {
  const config = monitoringConfig(settings);
  const { minioSelector: selector, thresholds } = config;
  const container = settings.targets.minio?.address.replace(/:\d+$/, "") ?? "koprogo-minio";
  const logs = `${logSelector({ job: LOG_JOBS.docker, container })} |~ "(?i)error|fatal|drive|disk"`;
  const rules = config.watches.minio
    ? [
        alertRule(config, {
          alert: "MinioDown",
          expr: `up{${selector}} == 0`,
          for: "minioDown",
          severity: "critical",
          summary: "MinIO, the application's object store, is down.",
          description:
            "Prometheus cannot scrape MinIO at {{ $labels.instance }} (up = {{ $value }}): uploads and downloads of documents fail.",
          dashboard: "systemHealth",
          logs,
        }),
        alertRule(config, {
          alert: "MinioDiskSpaceLow",
          // Usable capacity (after erasure coding); on one drive it is the drive's filesystem.
          expr: `minio_cluster_capacity_usable_free_bytes{${selector}} / minio_cluster_capacity_usable_total_bytes{${selector}} < ${thresholds.minioFreeRatio}`,
          for: "minioDiskSpaceLow",
          severity: "warning",
          summary: "MinIO is running out of space.",
          description: `MinIO at {{ $labels.instance }} has {{ $value | humanizePercentage }} of its usable capacity free, below ${percent(thresholds.minioFreeRatio)}%.`,
          dashboard: "systemHealth",
          logs,
        }),
      ]
    : [];
  return { name: "minio", groups: [{ name: "minio", rules }] };
}
