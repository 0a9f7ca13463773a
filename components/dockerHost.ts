/**
 * The Docker engine the stack runs on (local socket in `dev`, the VPS over SSH in `prod`), the network it shares
 * with the application, and the host access for commands. Every other component receives this one.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Secrets, Settings } from "../settings";
import { pinnedHostKeySshOptions } from "../host/ssh";
import { remoteHostOf } from "../settings/deployment";
import { hostAccessFor, type HostAccess } from "./host";

export interface DockerHostArgs {
  /** The stack settings (`docker`, `ssh`, `namePrefix`). */
  readonly settings: Settings;
  /** Secrets; `sshPrivateKey` is used for host commands when set. */
  readonly secrets: Secrets<pulumi.Output<string>>;
}

export class DockerHost extends pulumi.ComponentResource {
  /** Provider every container, volume and network of the stack is declared with. */
  readonly provider: docker.Provider;
  /** Name of the Docker network the services join. */
  readonly networkName: pulumi.Output<string>;
  /** How commands reach the host. */
  readonly access: HostAccess;
  /** Directory on the host holding this stack's configuration files. */
  readonly configRoot: string;

  constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:DockerHost", name, {}, opts);
    const { docker: dockerSettings, namePrefix } = args.settings;
    this.provider = new docker.Provider(`${name}-engine`, { host: dockerSettings.host, sshOpts: dockerSshOptions(args.settings) }, { parent: this });
    if (dockerSettings.network.external) {
      // The application's network already exists (created by its Compose project); the stack only joins it.
      this.networkName = pulumi.output(dockerSettings.network.name);
    } else {
      const network = new docker.Network(
        `${name}-network`,
        { name: dockerSettings.network.name, driver: "bridge", labels: [{ label: "com.koprogo.observability", value: "true" }] },
        { parent: this, provider: this.provider },
      );
      this.networkName = network.name;
    }
    this.access = hostAccessFor(args.settings, args.secrets);
    this.configRoot = `${dockerSettings.configRoot.replace(/\/$/, "")}/${namePrefix}`;
    this.registerOutputs({ networkName: this.networkName });
  }
}

/**
 * The `ssh` options of the Docker provider: for an `ssh://` engine, the stack's host key pinned first (host/ssh.ts),
 * then `docker.sshOpts`; nothing is read from the runner's known_hosts. Other engines take `docker.sshOpts` as is.
 */
export function dockerSshOptions(settings: Settings): string[] {
  const remote = remoteHostOf(settings);
  if (!settings.docker.host.startsWith("ssh://") || !remote?.hostKey) return [...settings.docker.sshOpts];
  return [...pinnedHostKeySshOptions(remote.hostKey), ...settings.docker.sshOpts];
}
