/** The whole stack on one Docker host: every component, wired to the files the generators produce. */
import * as pulumi from "@pulumi/pulumi";
import type { Secrets, Settings } from "../settings";
import { DockerHost } from "./dockerHost";
import { filesUnder } from "./configFiles";
import { Prometheus } from "./prometheus";
import { hostFilesFor } from "./renderForHost";
import { HostSecurity } from "./security";

export interface ObservabilityStackArgs {
  /** The parsed stack settings. */
  readonly settings: Settings;
  /** The secrets the stack config sets. */
  readonly secrets: Secrets<pulumi.Output<string>>;
}

export class ObservabilityStack extends pulumi.ComponentResource {
  readonly host: DockerHost;
  readonly prometheus: Prometheus;
  /** fail2ban, CrowdSec and Suricata on the host, when `security.enabled`. */
  readonly security?: HostSecurity;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:ObservabilityStack", name, {}, opts);
    const { settings } = args;
    const secrets = { ...args.secrets };
    this.host = new DockerHost(`${name}-host`, { settings, secrets }, { parent: this });
    const files = hostFilesFor(settings, secrets);
    this.prometheus = new Prometheus(`${name}-prometheus`, { settings, host: this.host, files: filesUnder(files, "prometheus") }, { parent: this });
    if (settings.security.enabled) this.security = new HostSecurity(`${name}-security`, { settings, host: this.host.access, files }, { parent: this });
    this.registerOutputs({});
  }
}
