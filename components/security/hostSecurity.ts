/** The host security agents the stack enables (`security.enabled` and each agent's `enabled`), one `HostAgent` each. */
import * as pulumi from "@pulumi/pulumi";
import { enabledAgents, type SecurityAgent } from "../../security/files";
import type { Settings } from "../../settings";
import { filesUnder, type HostFile } from "../configFiles";
import type { HostAccess } from "../host";
import { HostAgent, type AgentSettings } from "./hostAgent";

export interface HostSecurityArgs {
  /** The stack settings: `security`, and what its agents read (`AgentSettings`). */
  readonly settings: AgentSettings & Pick<Settings, "security">;
  /** How commands reach the host (the Docker host's SSH access). */
  readonly host: HostAccess;
  /** Every rendered file of the stack; the agents take theirs (`fail2ban/`, `crowdsec/`, `suricata/`). */
  readonly files: readonly HostFile[];
}

export class HostSecurity extends pulumi.ComponentResource {
  /** The agents, by name. */
  readonly agents: Partial<Record<SecurityAgent, HostAgent>>;
  /** Each agent's coexistence report (`pulumi stack output hostAgents`): what the stack wrote, what it left alone. */
  readonly reports: pulumi.Output<Partial<Record<SecurityAgent, string>>>;

  constructor(name: string, args: HostSecurityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:HostSecurity", name, {}, opts);
    const { settings } = args;
    if (!settings.security.enabled)
      throw new Error("`security.enabled` is false: declare HostSecurity only for a stack that enables it");
    this.agents = Object.fromEntries(
      enabledAgents(settings).map((agent) => [
        agent,
        new HostAgent(
          `${name}-${agent}`,
          { settings, agent, host: args.host, files: filesUnder(args.files, agent) },
          { parent: this },
        ),
      ]),
    );
    this.reports = pulumi
      .all(Object.entries(this.agents).map(([agent, host]) => host.coexistReport.apply((r) => [agent, r] as const)))
      .apply((entries) => Object.fromEntries(entries));
    this.registerOutputs({});
  }
}
