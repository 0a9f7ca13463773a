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
 * Commands, chained: `coexist` (security/coexist.ts: what the operator's own agents already have there; it refuses
 * before anything is installed or written when the stack would clobber it), `install` (pinned packages; its delete
 * purges those the stack installed), the files (`ConfigFiles`, one
 * command per file; delete removes the file), `fetch` for CrowdSec and Suricata (the vendor's hub collections or
 * rule sources: the one step that needs the internet beyond the apt archive, no delete), `apply` (check, enable, reload; its delete stops the services).
 * None of them has `triggers`: a trigger replaces a command create-before-delete, so the old resource's delete
 * would run after the new create (components/host.ts) — a version bump would purge the package just installed,
 * a jail change would leave fail2ban stopped. Instead each carries what must make it run again in its script
 * text or stdin, which is an update: `install` runs again when its script (the pinned versions) changes, each file
 * when its content or the install script changes (the package may have replaced a file we own), `apply` when a
 * file, its own script or the install script changes. Updates run the same idempotent script as create; delete
 * runs only on `destroy` or when the agent leaves the stack. The same settings give the same inputs: a second
 * `up` runs nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { agentSpec, installScript, removeScript } from "../../security/agents";
import { coexistScript } from "../../security/coexist";
import { etcPathOf, type SecurityAgent } from "../../security/files";
import { asRoot, contentHash } from "../../host/scripts";
import { ConfigFiles, type HostFile } from "../configFiles";
import { hostCommand, type HostAccess } from "../host";

/** What the host agents read of the settings: as much as `agentSpec` takes (today the whole settings). */
export type AgentSettings = Parameters<typeof agentSpec>[1];

export interface HostAgentArgs {
  /** The stack settings its packages, files and commands are built from: what security/agents.ts `agentSpec` reads. */
  readonly settings: AgentSettings;
  /** Which agent. */
  readonly agent: SecurityAgent;
  /** How commands reach the host. */
  readonly host: HostAccess;
  /** The agent's rendered files (`<agent>/...`), written under `/etc`. */
  readonly files: readonly HostFile[];
}

export class HostAgent extends pulumi.ComponentResource {
  /** Finds the operator's own agent files and packages, and refuses before anything is written when it must. */
  readonly coexist: pulumi.Resource;
  /** What the check printed when it last ran: the files the stack writes, and what it left alone. */
  readonly coexistReport: pulumi.Output<string>;
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
    const root = args.host.root;
    const spec = agentSpec(agent, settings);
    const install = asRoot(installScript(spec), root);
    const installHash = contentHash(install);
    // The agent's files as they land on the host: the check compares what is there with them. Its script carries
    // their digests, so it runs again (an update) whenever a file or the settings it reads change.
    const landing = args.files.map((file) => ({ ...file, path: etcPathOf(file.path) }));
    const coexist = hostCommand(
      `${name}-coexist`,
      args.host,
      {
        create: pulumi.all(landing.map((file) => file.content)).apply((contents) =>
          asRoot(
            coexistScript(
              spec,
              settings,
              landing.map((file, i) => ({ path: `/etc/${file.path}`, content: contents[i] })),
            ),
            root,
          ),
        ),
      },
      { parent: this },
    );
    this.coexist = coexist;
    this.coexistReport = coexist.stdout;
    this.install = hostCommand(
      `${name}-install`,
      args.host,
      { create: install, delete: asRoot(removeScript(spec), root) },
      { parent: this, dependsOn: [coexist] },
    );
    // A package upgrade may replace a file we own (CrowdSec's installer writes acquis.yaml): rewrite them all then.
    const files = new ConfigFiles(
      `${name}-files`,
      {
        host: args.host,
        root: "/etc",
        files: landing,
        rewriteOn: [installHash],
        after: [this.install],
      },
      { parent: this },
    );
    this.hashes = files.hashes;
    // The vendor's content (hub collections, rule sources), fetched again when what it fetches or the package changes.
    const fetch = spec.fetch === undefined ? undefined : asRoot(spec.fetch, root);
    const fetched =
      fetch === undefined
        ? []
        : [
            hostCommand(
              `${name}-fetch`,
              args.host,
              { create: fetch, rerunOn: [contentHash(fetch), installHash] },
              { parent: this, dependsOn: files.writes },
            ),
          ];
    const apply = asRoot(spec.apply, root);
    this.apply = hostCommand(
      `${name}-apply`,
      args.host,
      {
        create: apply,
        delete: asRoot(spec.stop, root),
        rerunOn: files.hashes.apply((hashes) => [
          ...hashes,
          installHash,
          ...(fetch === undefined ? [] : [contentHash(fetch)]),
        ]),
      },
      { parent: this, dependsOn: [...files.writes, ...fetched] },
    );
    this.registerOutputs({ hashes: this.hashes });
  }
}
