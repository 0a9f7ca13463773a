/** System Health: the VPS as the node exporter sees it (CPU, memory, disks, network, processes, load, I/O). */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { monitoringConfig, SELECTORS } from "../alerts/config";
import type { Settings } from "../settings";
import {
  labelVariable,
  prometheusQuery,
  redAbove,
  redBelow,
  row,
  standardDashboard,
  statPanel,
  timeseriesPanel,
  timeseriesWithThreshold,
} from "./common";
import { containersRow, servicesRow } from "./containers";

const NODE = `${SELECTORS.node}, instance=~"$instance"`;
/**
 * Real filesystems, as `DiskFull` counts them: no in-memory, container-layer, image or kernel pseudo filesystem
 * (the alerts' matcher), and only writable ones (a read-only one cannot fill up).
 */
const REAL_FS = `${NODE}, ${SELECTORS.realFilesystems}`;
const WRITABLE = `and on (instance, device, mountpoint) node_filesystem_readonly{${REAL_FS}} == 0`;
/** Physical interfaces only: loopback, Docker bridges and veth pairs would count the same bytes twice. */
const INTERFACES = `${NODE}, device!~"lo|docker.*|br-.*|veth.*"`;

function overviewRow(settings: Settings) {
  const { cpuBusyRatio, memoryAvailableBytes, diskFreeRatio } = monitoringConfig(settings).thresholds;
  return row("Overview")
    .withPanel(
      statPanel("CPU busy", units.PercentUnit, 6, redAbove(cpuBusyRatio)).withTarget(
        prometheusQuery(`1 - avg(rate(node_cpu_seconds_total{${NODE}, mode="idle"}[$__rate_interval]))`, "busy"),
      ),
    )
    .withPanel(
      statPanel("Memory available", units.BytesIEC, 6, redBelow(memoryAvailableBytes)).withTarget(
        prometheusQuery(`min(node_memory_MemAvailable_bytes{${NODE}})`, "available"),
      ),
    )
    .withPanel(
      statPanel("Lowest free disk", units.PercentUnit, 6, redBelow(diskFreeRatio)).withTarget(
        prometheusQuery(
          `min((node_filesystem_avail_bytes{${REAL_FS}} / node_filesystem_size_bytes{${REAL_FS}}) ${WRITABLE})`,
          "free",
        ),
      ),
    )
    .withPanel(
      statPanel("Uptime", units.Seconds).withTarget(
        prometheusQuery(`min(time() - node_boot_time_seconds{${NODE}})`, "uptime"),
      ),
    );
}

function cpuMemoryRow(settings: Settings) {
  const { cpuBusyRatio, memoryAvailableBytes } = monitoringConfig(settings).thresholds;
  return row("CPU and memory")
    .withPanel(
      timeseriesWithThreshold("CPU usage by mode", units.PercentUnit, redAbove(cpuBusyRatio))
        .min(0)
        .max(1)
        .withTarget(
          prometheusQuery(
            `1 - avg by (instance) (rate(node_cpu_seconds_total{${NODE}, mode="idle"}[$__rate_interval]))`,
            "busy {{instance}}",
          ),
        )
        .withTarget(
          prometheusQuery(
            `sum by (mode) (avg by (instance, mode) (rate(node_cpu_seconds_total{${NODE}, mode!="idle"}[$__rate_interval])))`,
            "{{mode}}",
          ),
        )
        .description("The dashed line is the `HighCpu` threshold."),
    )
    .withPanel(
      timeseriesWithThreshold("Memory", units.BytesIEC, redBelow(memoryAvailableBytes))
        .min(0)
        .withTarget(prometheusQuery(`node_memory_MemAvailable_bytes{${NODE}}`, "available"))
        .withTarget(
          prometheusQuery(`node_memory_MemTotal_bytes{${NODE}} - node_memory_MemAvailable_bytes{${NODE}}`, "used"),
        )
        .withTarget(prometheusQuery(`node_memory_MemTotal_bytes{${NODE}}`, "total"))
        .withTarget(
          prometheusQuery(`node_memory_SwapTotal_bytes{${NODE}} - node_memory_SwapFree_bytes{${NODE}}`, "swap used"),
        )
        .description("`MemoryExhaustion` fires when available memory falls under the dashed line."),
    );
}

function diskRow(settings: Settings) {
  const { diskFreeRatio } = monitoringConfig(settings).thresholds;
  return row("Disks")
    .withPanel(
      timeseriesWithThreshold("Free space per filesystem", units.PercentUnit, redBelow(diskFreeRatio))
        .min(0)
        .max(1)
        .withTarget(
          prometheusQuery(
            `(node_filesystem_avail_bytes{${REAL_FS}} / node_filesystem_size_bytes{${REAL_FS}}) ${WRITABLE}`,
            "{{mountpoint}}",
          ),
        )
        .description("`DiskFull` fires when a filesystem falls under the dashed line."),
    )
    .withPanel(
      timeseriesPanel("Disk I/O", units.BytesPerSecondIEC)
        .withTarget(
          prometheusQuery(
            `sum by (device) (rate(node_disk_read_bytes_total{${NODE}}[$__rate_interval]))`,
            "read {{device}}",
          ),
        )
        .withTarget(
          prometheusQuery(
            `-sum by (device) (rate(node_disk_written_bytes_total{${NODE}}[$__rate_interval]))`,
            "written {{device}}",
          ),
        )
        .description("Reads above the axis, writes below."),
    )
    .withPanel(
      timeseriesPanel("Disk busy time", units.PercentUnit)
        .max(1)
        .withTarget(prometheusQuery(`rate(node_disk_io_time_seconds_total{${NODE}}[$__rate_interval])`, "{{device}}")),
    )
    .withPanel(
      timeseriesPanel("Disk operations/s", units.IOOpsPerSecond)
        .withTarget(
          prometheusQuery(
            `sum by (device) (rate(node_disk_reads_completed_total{${NODE}}[$__rate_interval]))`,
            "reads {{device}}",
          ),
        )
        .withTarget(
          prometheusQuery(
            `sum by (device) (rate(node_disk_writes_completed_total{${NODE}}[$__rate_interval]))`,
            "writes {{device}}",
          ),
        ),
    );
}

function networkProcessesRow() {
  return row("Network, processes and load")
    .withPanel(
      timeseriesPanel("Network traffic", units.BitsPerSecondSI)
        .withTarget(
          prometheusQuery(
            `sum by (device) (rate(node_network_receive_bytes_total{${INTERFACES}}[$__rate_interval])) * 8`,
            "in {{device}}",
          ),
        )
        .withTarget(
          prometheusQuery(
            `-sum by (device) (rate(node_network_transmit_bytes_total{${INTERFACES}}[$__rate_interval])) * 8`,
            "out {{device}}",
          ),
        )
        .description("Received above the axis, sent below."),
    )
    .withPanel(
      timeseriesPanel("Network errors and drops/s", units.PacketsPerSecond)
        .withTarget(
          prometheusQuery(
            `sum by (device) (rate(node_network_receive_errs_total{${INTERFACES}}[$__rate_interval]) + rate(node_network_transmit_errs_total{${INTERFACES}}[$__rate_interval]))`,
            "errors {{device}}",
          ),
        )
        .withTarget(
          prometheusQuery(
            `sum by (device) (rate(node_network_receive_drop_total{${INTERFACES}}[$__rate_interval]) + rate(node_network_transmit_drop_total{${INTERFACES}}[$__rate_interval]))`,
            "drops {{device}}",
          ),
        ),
    )
    .withPanel(
      timeseriesPanel("Processes", units.Short)
        .withTarget(prometheusQuery(`node_procs_running{${NODE}}`, "running"))
        .withTarget(prometheusQuery(`node_procs_blocked{${NODE}}`, "blocked on I/O"))
        .withTarget(prometheusQuery(`rate(node_forks_total{${NODE}}[$__rate_interval])`, "forks/s")),
    )
    .withPanel(
      timeseriesPanel("Load average 1 / 5 / 15", units.Short)
        .withTarget(prometheusQuery(`node_load1{${NODE}}`, "1m"))
        .withTarget(prometheusQuery(`node_load5{${NODE}}`, "5m"))
        .withTarget(prometheusQuery(`node_load15{${NODE}}`, "15m"))
        .withTarget(prometheusQuery(`count(node_cpu_seconds_total{${NODE}, mode="idle"})`, "CPUs"))
        .description("A load above the CPU count means work is queueing."),
    );
}

export function systemHealthDashboard(settings: Settings) {
  return standardDashboard(settings, "systemHealth", {
    description: "The VPS: CPU, memory, disk space per real filesystem, disk I/O, network, processes and load average.",
    tags: ["system", "node"],
    variables: [labelVariable("instance", "Host", `node_uname_info{${SELECTORS.node}}`, "instance")],
    rows: [
      overviewRow(settings),
      cpuMemoryRow(settings),
      diskRow(settings),
      networkProcessesRow(),
      containersRow(settings),
      ...[servicesRow(settings)].filter((section) => section !== undefined),
    ],
  });
}
