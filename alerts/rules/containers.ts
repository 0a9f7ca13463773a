/**
 * The Docker containers' health, from cAdvisor (job `cadvisor`): memory against the container's limit, restarts,
 * OOM kills seen in a container, and the application's containers gone. KoproGo's own rules watch the same
 * (`ContainerHighMemory`, `ContainerRestartingFrequently`, `ContainerDown`). Rendered whether or not a cAdvisor is
 * scraped (`targets.cadvisor`): without its series none of them fires (ContainerDown waits for cAdvisor's `up`).
 */
import { logJobSelector } from "../../contract/links";
import type { Settings } from "../../settings";
import { monitoringConfig, percent, promqlString, SELECTORS, type MonitoringConfig } from "../config";
import type { AlertingRule, RuleFile } from "../types";
import { COUNT } from "../valueFormats";
import { alertRule } from "./common";

/** `absent(...)` of each expected container, joined: one series per missing container, with its `name` label. */
function missingContainers(config: MonitoringConfig): string {
  return config.appContainers
    .map((name) => `absent(container_last_seen{${config.cadvisorSelector}, name=${promqlString(name)}})`)
    .join(" or ");
}

export function containerRules(settings: Settings): AlertingRule[] {
  const config = monitoringConfig(settings);
  const { cadvisorSelector: cadvisor, thresholds, windows } = config;
  const containers = `${cadvisor}, ${SELECTORS.namedContainers}`;
  const rules = [
    alertRule(config, {
      alert: "ContainerMemoryHigh",
      // The working set is what the kernel cannot reclaim and what the OOM killer compares with the limit;
      // usage_bytes (KoproGo's rule) adds the page cache, which is given back under pressure. Containers
      // without a limit report 0 and are left out.
      expr: `container_memory_working_set_bytes{${containers}} / (container_spec_memory_limit_bytes{${containers}} > 0) > ${thresholds.containerMemoryRatio}`,
      for: "containerMemoryHigh",
      severity: "warning",
      summary: "A container is close to its memory limit.",
      description: `Container {{ $labels.name }} uses {{ $value | humanizePercentage }} of its memory limit, above ${percent(thresholds.containerMemoryRatio)}%: the OOM killer is next.`,
      dashboard: "systemHealth",
      logs: `${logJobSelector("docker")} |~ "(?i)out of memory|cannot allocate|oom"`,
    }),
    alertRule(config, {
      alert: "ContainerRestarting",
      // A restart in place (restart policy, `docker restart`) keeps the container's id and moves its start time;
      // a redeploy makes a new container (a new series) and is not counted.
      expr: `changes(container_start_time_seconds{${containers}}[${windows.containerRestarts}]) >= ${thresholds.containerRestarts}`,
      for: "containerRestarting",
      severity: "warning",
      summary: "A container keeps restarting.",
      description: `Container {{ $labels.name }} restarted ${COUNT} times in the last ${windows.containerRestarts}.`,
      dashboard: "systemHealth",
      logs: `${logJobSelector("docker")} |~ "(?i)panic|fatal|error"`,
    }),
    alertRule(config, {
      alert: "ContainerOomKilled",
      // The cgroup's own OOM kill count: a process inside the container killed at the container's limit. When
      // the main process is the one killed, the container (and this counter) goes with it: HostOomKill, from the
      // kernel's count, sees that case.
      expr: `increase(container_oom_events_total{${containers}}[${windows.oomKills}]) > 0`,
      for: "oomKill",
      severity: "warning",
      summary: "A process in a container was killed at the container's memory limit.",
      description: `Container {{ $labels.name }} had ${COUNT} OOM kill(s) in the last ${windows.oomKills}.`,
      dashboard: "systemHealth",
      logs: `${logJobSelector("journal")} |~ "(?i)out of memory|oom-kill|killed process"`,
    }),
  ];
  if (config.appContainers.length === 0) return rules;
  return [
    ...rules,
    alertRule(config, {
      alert: "ContainerDown",
      // cAdvisor reports running containers only: an application container without a series is stopped or gone.
      // Only while cAdvisor itself answers (TargetDown covers cAdvisor down).
      expr: `(${missingContainers(config)}) and on () up{${cadvisor}} == 1`,
      for: "containerDown",
      severity: "critical",
      summary: "An application container is not running.",
      description: "Container {{ $labels.name }} of the application is not running (cAdvisor has not seen it).",
      dashboard: "systemHealth",
      logs: `${logJobSelector("docker")} |~ "(?i)panic|fatal|error|exit"`,
    }),
  ];
}

export function containerRuleFile(settings: Settings): RuleFile {
  return { name: "containers", groups: [{ name: "containers", rules: containerRules(settings) }] };
}
