/**
 * The Docker engine the stack runs on (local socket in `dev`, the VPS over SSH in `prod`), the network it shares
 * with the application, and the host access for commands. Every other component receives this one.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { INTERNAL_NETWORKS, networksOf, STACK_NETWORKS, type StackNetwork } from "../contract/networks";
import type { StackService } from "../contract/serviceUsers";
import { monitoringGateway, networkName, staticAddress, type Secrets, type Settings } from "../settings";
import { dockerSshOptions } from "../host/ssh";
import type { ContainerNetwork } from "./container";
import { hostAccessFor, hostCommand, rerunKey, type HostAccess } from "./host";
import { appNetworkCheckScript, backendContainer } from "../host/appNetwork";
import { oldMonitoringPlan, oldMonitoringPreflightScript } from "../host/oldMonitoring";

export type DockerHostSettings = Pick<
  Settings,
  | "docker"
  | "ssh"
  | "namePrefix"
  | "hosts"
  | "blackbox"
  | "loki"
  | "targets"
  // The old monitoring stack's preflight: the ports of the stack's own services, and what the operator keeps.
  | "prometheus"
  | "alertmanager"
  | "nodeExporter"
  | "grafana"
  | "migration"
>;

export interface DockerHostArgs {
  /**
   * The stack settings it reads: `docker` and `ssh` (the engine and its host), `namePrefix`, and what decides the
   * networks: `hosts` (the log gateway's), `blackbox.enabled` (the probes'), `loki.storage` (egress),
   * `targets.api.address` (the backend on the application's network).
   */
  readonly settings: DockerHostSettings;
  /** Secrets; `sshPrivateKey` is used for host commands when set. */
  readonly secrets: Secrets<pulumi.Output<string>>;
}

export class DockerHost extends pulumi.ComponentResource {
  /** Provider every container, volume and network of the stack is declared with. */
  readonly provider: docker.Provider;
  /** Name of each network of contract/networks.ts (`app` is the application's). */
  readonly networks: Readonly<Record<StackNetwork, pulumi.Output<string>>>;
  /** How commands reach the host. */
  readonly access: HostAccess;
  /** Directory on the host holding this stack's configuration files. */
  readonly configRoot: string;
  /** The check for KoproGo's own monitoring stack (host/oldMonitoring.ts), which the engine's provider waits for. */
  readonly preflight: pulumi.Resource;
  /** What the preflight saw when it last ran (kept old containers, old volumes left as they are). */
  readonly preflightReport: pulumi.Output<string>;

  constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:DockerHost", name, {}, opts);
    const { settings } = args;
    const { docker: dockerSettings, namePrefix } = settings;
    const access = hostAccessFor(settings, args.secrets);
    // KoproGo's own monitoring (host/oldMonitoring.ts) is looked for before anything of the stack exists on the
    // engine: every container, volume, network and image is declared with this provider, which waits for the
    // preflight, so a refusal leaves nothing half-created. It runs on the first deploy and again whenever its script
    // (the ports, `migration.oldMonitoring.keepRunning`) changes; once this stack holds its ports, it is its own.
    const preflight = hostCommand(
      `${name}-old-monitoring-preflight`,
      access,
      // As the SSH user, like the provider's own `docker` (root is not needed; `ss` then names no process).
      { create: oldMonitoringPreflightScript(oldMonitoringPlan(settings), access.docker) },
      { parent: this },
    );
    this.preflight = preflight;
    this.preflightReport = preflight.stdout;
    this.provider = new docker.Provider(
      `${name}-engine`,
      { host: dockerSettings.host, sshOpts: dockerSshOptions(settings) },
      { parent: this, dependsOn: [preflight] },
    );
    const networks = {} as Record<StackNetwork, pulumi.Output<string>>;
    for (const network of STACK_NETWORKS) {
      // The log gateway's bridge exists only where the gateway does: with further hosts.
      if (network === "logIngress" && settings.hosts.length === 0) continue;
      // The probes' bridge exists only where the blackbox exporter does.
      if (network === "probes" && !settings.blackbox.enabled) continue;
      if (network === "app" && dockerSettings.network.external) {
        // The application's network already exists (created by its Compose project); the stack only joins it,
        // after a check on the host that the backend is on it (host/appNetwork.ts): every container that joins
        // it waits for the check, so a wrong name fails the deploy before anything is created there.
        const container = backendContainer(settings.targets.api.address);
        networks.app = container
          ? hostCommand(
              `${name}-app-network-check`,
              access,
              // Runs on the first deploy and whenever the name or the backend changes (the script is the command).
              { create: appNetworkCheckScript(dockerSettings.network.name, container, access.docker) },
              { parent: this },
            ).stdout.apply(() => dockerSettings.network.name)
          : pulumi.output(dockerSettings.network.name);
        continue;
      }
      const internal = INTERNAL_NETWORKS.includes(network);
      const created = new docker.Network(
        network === "app" ? `${name}-network` : `${name}-network-${network}`,
        {
          name: networkName(settings, network),
          driver: "bridge",
          // No gateway out of an internal network: its containers reach each other and nothing else.
          internal,
          // The monitoring network has a fixed subnet so that Alloy can listen on its own address there only.
          // Its gateway is the host's address there, where CrowdSec's metrics listen for Prometheus.
          ipamConfigs:
            network === "monitoring"
              ? [{ subnet: dockerSettings.monitoringSubnet, gateway: monitoringGateway(settings) }]
              : undefined,
          labels: [{ label: "com.koprogo.observability", value: "true" }],
        },
        // Delete before replace: the name is fixed and Docker 25+ refuses a second network of one name (moby
        // checks duplicates on every create since API 1.44), so create-before-delete could never replace one
        // (a new `docker.monitoringSubnet` or label: both ForceNew in the provider). The engine then also
        // replaces, first, the containers attached to it (their `networksAdvanced` is ForceNew): Docker cannot
        // remove a network that still has endpoints.
        { parent: this, provider: this.provider, deleteBeforeReplace: true },
      );
      networks[network] = created.name;
    }
    this.networks = networks;
    this.access = { ...access, rerunKey: rerunKey(`${name}-rerun-key`, this) };
    this.configRoot = `${dockerSettings.configRoot.replace(/\/$/, "")}/${namePrefix}`;
    this.settings = settings;
    this.registerOutputs({ networks: this.networks });
  }

  private readonly settings: DockerHostSettings;

  /** The networks a service's container joins (contract/networks.ts), with Alloy's fixed address. */
  networksFor(service: StackService): ContainerNetwork[] {
    const members = networksOf(service, this.settings);
    if (members === "host") return [];
    return members.map((network) => {
      const ipv4Address = network === "monitoring" ? staticAddress(this.settings, service) : undefined;
      return ipv4Address ? { name: this.networks[network], ipv4Address } : { name: this.networks[network] };
    });
  }
}
