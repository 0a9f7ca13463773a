/**
 * A further host of `hosts` (a second API host, the database host): its node exporter behind TLS and its logins,
 * listening on the host's private address only; the host security agents, as on the VPS; and, when the host is an
 * `alertmanager.cluster` peer, its Alertmanager; its Alloy, pushing the journal and the agents' logs to the
 * monitoring host's log gateway with its own login. Reached over SSH with its pinned host key, its Docker engine
 * through the same SSH (`ssh://`, with the same key pinned for the system `ssh`, docs/operator/deploying.md).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { furtherHostFiles, furtherHostOwnFiles } from "../stack/scaleFiles";
import type { Secrets, Settings } from "../settings";
import { REMOTE_NODE_EXPORTER_PORT, type HostSettings } from "../settings/scale";
import { Alertmanager, type AlertmanagerArgs } from "./alertmanager";
import { Alloy, type AlloyArgs } from "./alloy";
import { FURTHER_HOST_ALLOY_LISTEN } from "../logs/flags";
import { filesUnder, type HostFile } from "./configFiles";
import type { ServiceEngine } from "./configuredService";
import { furtherHostEngine, pinnedDockerSshOptions } from "../host/ssh";
import { rerunKey, sshHostAccess, type HostAccess } from "./host";
import { NodeExporter, type NodeExporterArgs } from "./nodeExporter";
import { HostSecurity, type HostSecurityArgs } from "./security";

export interface FurtherHostArgs {
  /**
   * The stack settings: `docker` (its engine's options, config root), `namePrefix`, `security.enabled`,
   * `alertmanager.cluster`, and what its parts read (the node exporter, Alloy, the host agents, Alertmanager).
   */
  readonly settings: Pick<Settings, "docker" | "namePrefix" | "security" | "alertmanager"> &
    NodeExporterArgs["settings"] &
    AlloyArgs["settings"] &
    HostSecurityArgs["settings"] &
    AlertmanagerArgs["settings"];
  /** This host, one of `hosts`. */
  readonly host: HostSettings;
  /** Every rendered file of the stack: this host's own (`hosts/<name>/…`: exporter, Alloy), the agents' and Alertmanager's are taken from it. */
  readonly files: readonly HostFile[];
  /** Secrets; `sshPrivateKey` is used for the host's commands when set (else the SSH agent). */
  readonly secrets: Secrets<pulumi.Output<string>>;
}

export class FurtherHost extends pulumi.ComponentResource {
  readonly access: HostAccess;
  readonly provider: docker.Provider;
  readonly nodeExporter: NodeExporter;
  readonly security?: HostSecurity;
  readonly alertmanager?: Alertmanager;
  readonly alloy: Alloy;

  constructor(name: string, args: FurtherHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:FurtherHost", name, {}, opts);
    const { settings, host } = args;
    this.access = {
      ...sshHostAccess(
        { host: host.ssh.host ?? host.address, user: host.ssh.user, port: host.ssh.port, hostKey: host.ssh.hostKey },
        args.secrets,
      ),
      rerunKey: rerunKey(`${name}-rerun-key`, this),
    };
    // The same pinned key for its Docker engine's `ssh` (host/ssh.ts): the runner's known_hosts is not read.
    this.provider = new docker.Provider(
      `${name}-engine`,
      { host: furtherHostEngine(host), sshOpts: pinnedDockerSshOptions(host.ssh.hostKey, settings.docker.sshOpts) },
      { parent: this },
    );
    // Containers here join no network of the stack: the default bridge (egress for Alertmanager's receivers) or the host's.
    const engine: ServiceEngine = {
      provider: this.provider,
      access: this.access,
      configRoot: `${settings.docker.configRoot.replace(/\/$/, "")}/${settings.namePrefix}`,
      networksFor: () => [],
    };
    this.nodeExporter = new NodeExporter(
      `${name}-node-exporter`,
      {
        settings,
        host: engine,
        files: furtherHostFiles(args.files, host.name),
        listenAddress: `${host.address}:${REMOTE_NODE_EXPORTER_PORT}`,
        tls: true,
      },
      { parent: this },
    );
    // Its config, gateway password and the hosts' CA, from `hosts/<name>/alloy/`; positions on its own retained volume.
    this.alloy = new Alloy(
      `${name}-alloy`,
      {
        settings,
        host: engine,
        files: furtherHostOwnFiles(args.files, host.name, "alloy"),
        listenAddress: FURTHER_HOST_ALLOY_LISTEN,
      },
      { parent: this },
    );
    if (settings.security.enabled)
      this.security = new HostSecurity(
        `${name}-security`,
        { settings, host: this.access, files: args.files },
        { parent: this },
      );
    if (settings.alertmanager.cluster?.peers.includes(host.name)) {
      this.alertmanager = new Alertmanager(
        `${name}-alertmanager`,
        { settings, host: engine, files: filesUnder(args.files, "alertmanager"), peer: host.name },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
