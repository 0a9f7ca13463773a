/** The whole stack on one Docker host: every component, wired to the files the generators produce. */
import * as pulumi from "@pulumi/pulumi";
import type { Secrets, Settings } from "../settings";
import { DockerHost } from "./dockerHost";
import { filesUnder } from "./configFiles";
import { Alloy } from "./alloy";
import { Loki } from "./loki";
import { Prometheus } from "./prometheus";
import { hostFilesFor } from "./renderForHost";

export interface ObservabilityStackArgs {
  /** The parsed stack settings. */
  readonly settings: Settings;
  /** The secrets the stack config sets. */
  readonly secrets: Secrets<pulumi.Output<string>>;
}

export class ObservabilityStack extends pulumi.ComponentResource {
  readonly host: DockerHost;
  readonly prometheus: Prometheus;
  readonly loki: Loki;
  readonly alloy: Alloy;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:ObservabilityStack", name, {}, opts);
    const { settings } = args;
    const secrets = { ...args.secrets };
    this.host = new DockerHost(`${name}-host`, { settings, secrets }, { parent: this });
    const files = hostFilesFor(settings, secrets);
    this.prometheus = new Prometheus(`${name}-prometheus`, { settings, host: this.host, files: filesUnder(files, "prometheus") }, { parent: this });
    this.loki = new Loki(`${name}-loki`, { settings, host: this.host, files: filesUnder(files, "loki") }, { parent: this });
    // After Loki, so the first pushes find it (Alloy retries anyway).
    this.alloy = new Alloy(`${name}-alloy`, { settings, host: this.host, files: filesUnder(files, "alloy") }, { parent: this, dependsOn: [this.loki] });
    this.registerOutputs({});
  }
}
