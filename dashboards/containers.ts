/**
 * System Health's rows for what runs on the VPS beside the host: the Docker containers from cAdvisor (memory
 * against the limit, restarts, OOM kills, last seen), the backups, MinIO and Grafana's public endpoint, the series
 * the alerts of alerts/rules/containers.ts, backups.ts, minio.ts and probes.ts read.
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { monitoringConfig, SELECTORS } from "../alerts/config";
import { PROBES } from "../contract/jobs";
import type { Settings } from "../settings";
import { probePanel } from "./probes";
import {
  prometheusQuery,
  redAbove,
  redBelow,
  row,
  statPanel,
  timeseriesPanel,
  timeseriesWithThreshold,
  upDownMappings,
  type Section,
} from "./common";

const CONTAINERS = `${SELECTORS.cadvisor}, ${SELECTORS.namedContainers}`;
/** The backup script's metric, read through the node exporter's textfile collector. */
const BACKUP = `koprogo_last_backup_timestamp_seconds{${SELECTORS.node}}`;

export function containersRow(settings: Settings): Section {
  const { thresholds, windows } = monitoringConfig(settings);
  return row("Containers")
    .withPanel(
      timeseriesWithThreshold("Container memory vs limit", units.PercentUnit, redAbove(thresholds.containerMemoryRatio))
        .min(0)
        .withTarget(
          prometheusQuery(
            `container_memory_working_set_bytes{${CONTAINERS}} / (container_spec_memory_limit_bytes{${CONTAINERS}} > 0)`,
            "{{name}}",
          ),
        )
        .description("Working set ÷ limit, containers with a limit (`ContainerMemoryHigh` above the dashed line)."),
    )
    .withPanel(
      timeseriesWithThreshold(
        `Restarts per ${windows.containerRestarts}`,
        units.Short,
        redAbove(thresholds.containerRestarts),
      )
        .withTarget(
          prometheusQuery(
            `changes(container_start_time_seconds{${CONTAINERS}}[${windows.containerRestarts}])`,
            "{{name}}",
          ),
        )
        .description("`ContainerRestarting` at the dashed line."),
    )
    .withPanel(
      timeseriesPanel(`OOM kills per ${windows.oomKills}`, units.Short)
        .withTarget(
          prometheusQuery(`increase(container_oom_events_total{${CONTAINERS}}[${windows.oomKills}])`, "{{name}}"),
        )
        .withTarget(
          prometheusQuery(
            `increase(node_vmstat_oom_kill{${SELECTORS.node}}[${windows.oomKills}])`,
            "host {{instance}}",
          ),
        )
        .description(
          "A container's own OOM kills (`ContainerOomKilled`) and every kill of the host's OOM killer (`HostOomKill`).",
        ),
    )
    .withPanel(
      timeseriesPanel("Seconds since each container was seen", units.Seconds)
        .withTarget(prometheusQuery(`time() - container_last_seen{${CONTAINERS}}`, "{{name}}"))
        .withTarget(prometheusQuery(`up{${SELECTORS.cadvisor}}`, "cAdvisor up"))
        .description(
          "A line that stops is a container gone (`ContainerDown` for the application's own, while cAdvisor is up).",
        ),
    );
}

/** Backups, MinIO and Grafana's public endpoint: each shown only when the stack watches it, as its alerts. */
export function servicesRow(settings: Settings): Section | undefined {
  const config = monitoringConfig(settings);
  const section = row("Backups, object storage and Grafana");
  if (config.watches.backups)
    section.withPanel(
      statPanel("Last backup age", units.Hours, 6, redAbove(config.thresholds.backupMaxAgeHours))
        .withTarget(prometheusQuery(`(time() - max(${BACKUP})) / 3600`, "hours"))
        .description("Hours since the last successful backup (`BackupTooOld` in red; no value: `BackupMissing`)."),
    );
  if (config.watches.minio)
    section
      .withPanel(
        statPanel("MinIO up", "none", 6, redBelow(1))
          .mappings(upDownMappings())
          .withTarget(prometheusQuery(`min(up{${SELECTORS.minio}})`, "up"))
          .description("`MinioDown` fires after a minute at DOWN."),
      )
      .withPanel(
        timeseriesWithThreshold("MinIO free capacity", units.PercentUnit, redBelow(config.thresholds.minioFreeRatio), 6)
          .min(0)
          .max(1)
          .withTarget(
            prometheusQuery(
              `minio_cluster_capacity_usable_free_bytes{${SELECTORS.minio}} / minio_cluster_capacity_usable_total_bytes{${SELECTORS.minio}}`,
              "{{instance}}",
            ),
          )
          .description("`MinioDiskSpaceLow` under the dashed line."),
      );
  if (settings.blackbox.enabled)
    section.withPanel(
      probePanel(
        "Grafana public endpoint",
        PROBES.grafana,
        "Grafana's health through Traefik and TLS (`GrafanaPublicEndpointDown` at DOWN).",
      ),
    );
  return section.panels.length > 0 ? section : undefined;
}
