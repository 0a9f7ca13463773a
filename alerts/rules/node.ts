/** The host's alerts: disk, memory, CPU, from the node exporter. */
import { logJobSelector } from "../../contract/links";
import type { Settings } from "../../settings";
import { monitoringConfig, percent } from "../config";
import type { RuleFile } from "../types";
import { alertRule } from "./common";

export function nodeRuleFile(settings: Settings): RuleFile {
  const config = monitoringConfig(settings);
  const { nodeSelector, filesystemSelector: fs, thresholds, rateInterval } = config;
  return {
    name: "node",
    groups: [
      {
        name: "node",
        rules: [
          alertRule(config, {
            alert: "DiskFull",
            // Real, writable filesystems only: a read-only one cannot fill up, and pseudo filesystems are full by design.
            // The division matches on every label, so filtering the numerator filters the result.
            expr: `(node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${nodeSelector}} < ${thresholds.diskFreeRatio}) and on (instance, device, mountpoint) node_filesystem_readonly{${nodeSelector}} == 0`,
            for: "diskFull",
            severity: "critical",
            summary: "A disk is almost full.",
            description: `Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only {{ $value | humanizePercentage }} space left, below ${percent(thresholds.diskFreeRatio)}%.`,
            dashboard: "systemHealth",
            logs: `${logJobSelector("journal")} |~ "(?i)no space left"`,
          }),
          alertRule(config, {
            alert: "MemoryExhaustion",
            expr: `node_memory_MemAvailable_bytes{${nodeSelector}} < ${thresholds.memoryAvailableBytes}`,
            for: "memoryExhaustion",
            severity: "critical",
            summary: "The host is running out of memory.",
            description: `{{ $labels.instance }} has only {{ $value | humanize1024 }}B of memory available, below ${thresholds.memoryAvailableBytes / 1024 ** 2} MiB; the OOM killer is next.`,
            dashboard: "systemHealth",
            logs: `${logJobSelector("journal")} |~ "(?i)out of memory|oom-kill|killed process"`,
          }),
          alertRule(config, {
            alert: "HighCpu",
            // Busy = not idle, averaged over every CPU of the host.
            expr: `1 - avg by (instance) (rate(node_cpu_seconds_total{${nodeSelector}, mode="idle"}[${rateInterval}])) > ${thresholds.cpuBusyRatio}`,
            for: "highCpu",
            severity: "warning",
            summary: "The host's CPUs are busy.",
            description: `{{ $labels.instance }}'s CPUs are {{ $value | humanizePercentage }} busy, above ${percent(thresholds.cpuBusyRatio)}%.`,
            dashboard: "systemHealth",
            // The host's journal, like the other host alerts: the kernel reports CPU starvation (soft lockups,
            // hung tasks, RCU stalls, throttling) there; the busy process itself shows on the dashboard.
            logs: `${logJobSelector("journal")} |~ "(?i)soft lockup|hung task|rcu.*stall|throttl"`,
          }),
        ],
      },
    ],
  };
}
