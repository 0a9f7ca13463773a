/**
 * One host security agent (fail2ban, CrowdSec or Suricata) installed as a system package over the same SSH
 * connection as the Docker provider.
 *
 * Why on the host and not in containers: the three agents act on the host itself. fail2ban and CrowdSec's
 * bouncer edit the host's `INPUT` and `DOCKER-USER` chains and read host log files; Suricata captures the
 * public interface. In a container each would need host networking, `NET_ADMIN`/`NET_RAW` and bind mounts of
 * `/var/log` and the xtables lock, i.e. the host's privileges without the distribution's security updates,
 * systemd ordering after Docker, or the packaged units. The memory budget of the containers stays for the stack.
 *
 * Three commands, chained: `install` (pinned packages; its delete purges them), the files (`ConfigFiles`, one
 * command per file with its content hash as trigger; delete removes the file), `apply` (check, enable,
 * reload; triggered by the files' hashes, its own script and the install script, so it runs only when
 * something changed; its delete stops the services before the files go). A new package version also rewrites
 * the files, in case the package replaced one. The same settings give the same triggers: a second `up` runs
 * nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { agentSpec, installScript, removeScript } from "../../security/agents";
import { etcPathOf, type SecurityAgent } from "../../security/files";
import type { Settings } from "../../settings";
import { ConfigFiles, contentHash, type HostFile } from "../configFiles";
import { asRoot, hostCommand, type HostAccess } from "../host";

export interface HostAgentArgs {
  /** The stack settings (`security`). */
  readonly settings: Settings;
  /** Which agent. */
  readonly agent: SecurityAgent;
  /** How commands reach the host. */
  readonly host: HostAccess;
  /** The agent's rendered files (`<agent>/...`), written under `/etc`. */
  readonly files: readonly HostFile[];
}

export class HostAgent extends pulumi.ComponentResource {
  /** Installs the pinned packages; deleting it purges them. */
  readonly install: pulumi.Resource;
  /** Content hashes of the agent's files. */
  readonly hashes: pulumi.Output<string[]>;
  /** Checks the configuration and (re)starts the services when a file changed. */
  readonly apply: pulumi.Resource;

  constructor(name: string, args: HostAgentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:HostAgent", name, {}, opts);
    const { settings, agent } = args;
    if (args.files.length === 0) throw new Error(`\`files\` of host agent ${agent} is empty: render its files first`);
    const sudo = settings.security.sudo;
    const spec = agentSpec(agent, settings);
    const install = asRoot(installScript(spec), sudo);
    const installHash = contentHash(install);
    this.install = hostCommand(`${name}-install`, args.host, { create: install, delete: asRoot(removeScript(spec), sudo), triggers: [installHash] }, { parent: this });
    // A package upgrade may replace a file we own (CrowdSec's installer writes acquis.yaml): rewrite them all then.
    const files = new ConfigFiles(
      `${name}-files`,
      { host: args.host, root: "/etc", files: args.files.map((file) => ({ ...file, path: etcPathOf(file.path) })), sudo, rewriteOn: [installHash] },
      { parent: this, dependsOn: [this.install] },
    );
    this.hashes = files.hashes;
    const apply = asRoot(spec.apply, sudo);
    this.apply = hostCommand(
      `${name}-apply`,
      args.host,
      { create: apply, delete: asRoot(spec.stop, sudo), triggers: [files.hashes, contentHash(apply), installHash] },
      { parent: this, dependsOn: files.writes },
    );
    this.registerOutputs({ hashes: this.hashes });
  }
}
