/**
 * The one typed settings object, parsed from the stack config. Every key has a default that fits the real
 * deployment, so `Pulumi.dev.yaml` is a few lines; unknown keys are refused (`strict`) so a typo cannot pass.
 */
import { z } from "zod";
import { enabledHostAgents, HOST_AGENT_MEMORY, VPS_MEMORY } from "../contract/hostAgents";
import { alertSettings, notificationSettings } from "./alerting";
import { dockerSettings, sshSettings, sshSettingsIssues } from "./deployment";
import { grafanaSettings, grafanaSettingsIssues } from "./grafana";
import { backupSettings, blackboxSettings } from "./health";
import { alloySettings, lokiSettings } from "./logs";
import {
  alertmanagerSettings,
  nodeExporterSettings,
  postgresExporterSettings,
  prometheusSettings,
  targetSettings,
} from "./metrics";
import { migrationSettings } from "./migration";
import { hostPort, memory, memoryToBytes } from "./primitives";
import { monitoringGateway } from "./services";
import { securitySettings } from "./security";
import { hostsSettings, logGatewaySettings } from "./scale";
import { scaleSettingsIssues } from "./scaleChecks";
import { timingIssues } from "./timing";

export const ENVIRONMENTS = ["dev", "staging", "prod", "e2e"] as const;

export const settingsSchema = z
  .object({
    /** Which kind of environment this stack is. Defaults to the stack name when it is one of these. */
    environment: z.enum(ENVIRONMENTS),
    /** Prefix of every Docker container and volume name, so two stacks on one engine do not collide. */
    namePrefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,30}$/, "must be lower-case letters, digits and dashes")
      .default("koprogo-obs"),
    docker: dockerSettings.prefault({}),
    /** SSH access to the host, for the commands; each key defaults to what an `ssh://` Docker host names, `hostKey` excepted. */
    ssh: sshSettings.optional(),
    targets: targetSettings.prefault({}),
    prometheus: prometheusSettings.prefault({}),
    alertmanager: alertmanagerSettings.prefault({}),
    nodeExporter: nodeExporterSettings.prefault({}),
    postgresExporter: postgresExporterSettings.prefault({}),
    /** The blackbox exporter: the public API and Grafana probed through Traefik and TLS, and `/metrics` refused. */
    blackbox: blackboxSettings.prefault({}),
    /** The backup script's metrics (`koprogo_last_backup_timestamp_seconds`), for `BackupTooOld` and `BackupMissing`. */
    backups: backupSettings.prefault({}),
    alerts: alertSettings.prefault({}),
    notifications: notificationSettings.prefault({}),
    loki: lokiSettings.prefault({}),
    alloy: alloySettings.prefault({}),
    grafana: grafanaSettings.prefault({}),
    security: securitySettings.prefault({}),
    /** Coming from KoproGo's own monitoring: which of its containers may keep running (docs/operator/migrating.md). */
    migration: migrationSettings.prefault({}),
    /** Further hosts the stack watches and protects (node exporter, log shipper, security agents); none by default. */
    hosts: hostsSettings,
    /** Where the further hosts' Alloy pushes logs (TLS, a login per host); used only when `hosts` is not empty. */
    logGateway: logGatewaySettings.prefault({}),
    /** The Docker socket proxy that stands between Alloy and the engine (components/socketProxy.ts). */
    socketProxy: z
      .object({
        /** Container memory limit; the proxy is a small Go binary (about 8 MiB resident). */
        memory: memory.default("16m"),
      })
      .strict()
      .prefault({}),
    /**
     * Where a service of the stack is reached (`host:port`), overriding its container address. For the e2e
     * profile, whose servers run on loopback; a normal stack leaves it empty.
     */
    serviceAddresses: z
      .partialRecord(
        z.enum([
          "prometheus",
          "alertmanager",
          "nodeExporter",
          "postgresExporter",
          "loki",
          "alloy",
          "grafana",
          "blackbox",
        ]),
        hostPort,
      )
      .default({}),
  })
  .strict()
  .superRefine((settings, ctx) => {
    // zod still runs this refinement when a field failed; the budget only means something once every limit parsed.
    if (ctx.value === undefined || ctx.issues.length > 0) return;
    const budgetProblem = memoryBudgetProblem(settings.docker);
    if (budgetProblem) ctx.addIssue({ code: "custom", path: ["docker", "memoryBudget"], message: budgetProblem });
    const limits = stackMemory(settings);
    const total = limits.reduce((sum, { bytes }) => sum + bytes, 0);
    const budget = memoryToBytes(settings.docker.memoryBudget);
    if (total > budget) {
      const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)}MiB`;
      ctx.addIssue({
        code: "custom",
        path: ["docker", "memoryBudget"],
        message: `the containers' memory limits add up to ${mib(total)} with the host agents, over the budget of ${mib(budget)} (${limits.map((l) => `${l.service} ${l.memory}`).join(", ")})`,
      });
    }
    // CrowdSec's metrics are kept to the monitoring network by a firewall rule on its subnet: they must listen there.
    const gateway = monitoringGateway(settings);
    if (settings.security.crowdsec.metrics.listenAddress !== gateway) {
      ctx.addIssue({
        code: "custom",
        path: ["security", "crowdsec", "metrics", "listenAddress"],
        message: `must be ${gateway}, the host's address on docker.monitoringSubnet (${settings.docker.monitoringSubnet}): Prometheus reaches CrowdSec there, and the firewall rule lets only that subnet in (got "${settings.security.crowdsec.metrics.listenAddress}")`,
      });
    }
    // Keys that work only together (Grafana's URLs and publication); only on settings whose fields all parsed.
    for (const issue of timingIssues(settings))
      ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
    for (const issue of scaleSettingsIssues(settings))
      ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
    for (const issue of grafanaSettingsIssues(settings))
      ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
    for (const issue of sshSettingsIssues(settings))
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  });

export type Settings = z.infer<typeof settingsSchema>;

/**
 * Why `docker.memoryBudget` cannot be had on the host, or undefined: the stack gets at most the host's RAM less
 * what the application's containers and the OS with Docker keep (contract/hostAgents.ts `VPS_MEMORY`). A budget
 * above that passes every container limit and ends with the kernel's OOM killer choosing among the application.
 */
export function memoryBudgetProblem(docker: { readonly memoryBudget: string; readonly hostMemory: string }) {
  const mib = (value: string) => Math.round(memoryToBytes(value) / 1024 ** 2);
  const available = mib(docker.hostMemory) - VPS_MEMORY.applicationMib - VPS_MEMORY.systemMib;
  if (mib(docker.memoryBudget) <= available) return undefined;
  return `${docker.memoryBudget} is more than the host can give the stack: docker.hostMemory (${docker.hostMemory}) less ${VPS_MEMORY.applicationMib}m for the application's containers and ${VPS_MEMORY.systemMib}m for the OS and Docker leaves ${Math.max(available, 0)}m. Lower docker.memoryBudget, or set docker.hostMemory to the host's real RAM (the total of \`free -m\`) if it has more`;
}

/**
 * What the budget counts: every container's limit, and the figure of each host agent the settings install
 * (contract/hostAgents.ts): they run beside the containers on the same 2 GB, with no limit of their own.
 */
export function stackMemory(
  settings: Parameters<typeof containerMemoryLimits>[0] & Pick<Settings, "security" | "hosts" | "logGateway">,
): { service: string; memory: string; bytes: number }[] {
  const agents = enabledHostAgents(settings.security).map((agent) => ({
    service: agent,
    memory: `${HOST_AGENT_MEMORY[agent].mib}m`,
    bytes: HOST_AGENT_MEMORY[agent].mib * 1024 ** 2,
  }));
  // The log gateway runs on the monitoring host only when there are further hosts to receive logs from.
  const gateway =
    settings.hosts.length > 0
      ? [
          {
            service: "logGateway",
            memory: settings.logGateway.memory,
            bytes: memoryToBytes(settings.logGateway.memory),
          },
        ]
      : [];
  return [...containerMemoryLimits(settings), ...gateway, ...agents];
}

/** Every container of the stack with its memory limit: the budget check and the README's table read it. */
export function containerMemoryLimits(
  settings: Pick<
    Settings,
    | "prometheus"
    | "alertmanager"
    | "nodeExporter"
    | "postgresExporter"
    | "loki"
    | "alloy"
    | "grafana"
    | "socketProxy"
    | "blackbox"
  >,
) {
  const services = [
    "prometheus",
    "alertmanager",
    "nodeExporter",
    "postgresExporter",
    "loki",
    "alloy",
    "grafana",
    "socketProxy",
  ] as const;
  const limits = services.map((service) => ({
    service: service as string,
    memory: settings[service].memory,
    bytes: memoryToBytes(settings[service].memory),
  }));
  // The blackbox exporter runs only when on.
  return settings.blackbox.enabled
    ? [
        ...limits,
        { service: "blackbox", memory: settings.blackbox.memory, bytes: memoryToBytes(settings.blackbox.memory) },
      ]
    : limits;
}
