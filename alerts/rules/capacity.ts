/**
 * The host's warning tier, under the critical alerts of node.ts: disk space getting low and a disk filling up by
 * trend, a sustained load, memory getting short, and OOM kills. KoproGo's own rules watch these (its
 * `DiskSpaceLow`, `HighLoadAverage`, `HighMemoryUsage`); the runbook's Disk Full steps are too late without them.
 */
import { logJobSelector } from "../../contract/links";
import type { Settings } from "../../settings";
import { monitoringConfig, percent } from "../config";
import type { RuleFile } from "../types";
import { COUNT } from "../valueFormats";
import { alertRule } from "./common";

export function capacityRuleFile(settings: Settings): RuleFile {
  const config = monitoringConfig(settings);
  const { nodeSelector, filesystemSelector: fs, thresholds, windows } = config;
  // Writable filesystems only, as DiskFull: a read-only one cannot fill up.
  const writable = `on (instance, device, mountpoint) node_filesystem_readonly{${nodeSelector}} == 0`;
  const avail = `node_filesystem_avail_bytes{${fs}}`;
  return {
    name: "capacity",
    groups: [
      {
        name: "host-capacity",
        rules: [
          alertRule(config, {
            alert: "DiskSpaceLow",
            // The warning tier of DiskFull: time to clean up before it pages. Stops at DiskFull's threshold, so
            // the two never notify for the same filesystem at once.
            expr: `(${avail} / node_filesystem_size_bytes{${nodeSelector}} < ${thresholds.diskWarningFreeRatio} >= ${thresholds.diskFreeRatio}) and ${writable}`,
            for: "diskSpaceLow",
            severity: "warning",
            summary: "A disk is getting full.",
            description: `Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has {{ $value | humanizePercentage }} space left, below ${percent(thresholds.diskWarningFreeRatio)}%.`,
            dashboard: "systemHealth",
            logs: `${logJobSelector("journal")} |~ "(?i)no space left"`,
          }),
          alertRule(config, {
            alert: "DiskFillingUp",
            // The value is the days left at the last day's pace (free space over its loss per second); the
            // condition is predict_linear's: the day's linear trend reaches zero within the horizon. deriv < 0
            // keeps only shrinking free space (a growing one would read as negative days).
            expr: `(${avail} / -(deriv(${avail}[${windows.diskTrend}]) < 0) / 86400) and predict_linear(${avail}[${windows.diskTrend}], ${thresholds.diskFullWithinDays} * 86400) < 0 and ${writable}`,
            for: "diskFillingUp",
            severity: "warning",
            summary: "A disk will be full within days at its current pace.",
            description: `Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} will be full in {{ $value | printf "%.1f" }} days at the pace of the last ${windows.diskTrend}, within ${thresholds.diskFullWithinDays} days.`,
            dashboard: "systemHealth",
            logs: `${logJobSelector("journal")} |~ "(?i)no space left"`,
          }),
          alertRule(config, {
            alert: "HighLoad",
            // Load counts runnable and uninterruptible (I/O-waiting) tasks: per CPU above 1, work queues.
            expr: `node_load15{${nodeSelector}} / on (job, instance) count by (job, instance) (node_cpu_seconds_total{${nodeSelector}, mode="idle"}) > ${thresholds.loadPerCpu}`,
            for: "highLoad",
            severity: "warning",
            summary: "The host's load is high for its CPUs.",
            description: `{{ $labels.instance }}'s 15-minute load average is {{ $value | printf "%.2f" }} per CPU, above ${thresholds.loadPerCpu}.`,
            dashboard: "systemHealth",
            logs: `${logJobSelector("journal")} |~ "(?i)hung task|blocked for more than|soft lockup"`,
          }),
          alertRule(config, {
            alert: "MemoryLow",
            // The warning tier of MemoryExhaustion (a fixed 100 MiB floor): a share of the host's memory.
            expr: `node_memory_MemAvailable_bytes{${nodeSelector}} / node_memory_MemTotal_bytes{${nodeSelector}} < ${thresholds.memoryAvailableWarningRatio}`,
            for: "memoryLow",
            severity: "warning",
            summary: "The host is short of memory.",
            description: `{{ $labels.instance }} has {{ $value | humanizePercentage }} of its memory available, below ${percent(thresholds.memoryAvailableWarningRatio)}%.`,
            dashboard: "systemHealth",
            logs: `${logJobSelector("journal")} |~ "(?i)out of memory|oom-kill|killed process"`,
          }),
          alertRule(config, {
            alert: "HostOomKill",
            // The kernel's own count (/proc/vmstat oom_kill): every OOM kill on the host, a container's main
            // process included, which takes its cgroup (and cAdvisor's counter) with it.
            expr: `increase(node_vmstat_oom_kill{${nodeSelector}}[${windows.oomKills}]) > 0`,
            for: "oomKill",
            severity: "warning",
            summary: "The kernel killed a process for lack of memory.",
            description: `The kernel of {{ $labels.instance }} killed ${COUNT} process(es) out of memory in the last ${windows.oomKills}.`,
            dashboard: "systemHealth",
            logs: `${logJobSelector("journal")} |~ "(?i)out of memory|oom-kill|killed process"`,
          }),
        ],
      },
    ],
  };
}
