/** The whole stack on one Docker host: every component, wired to the files the generators produce. */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Secrets, Settings } from "../settings";
import { Alertmanager } from "./alertmanager";
import { Alloy } from "./alloy";
import { filesUnder } from "./configFiles";
import { DockerHost } from "./dockerHost";
import { Grafana } from "./grafana";
import { Loki } from "./loki";
import { NodeExporter } from "./nodeExporter";
import { PostgresExporter } from "./postgresExporter";
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
  readonly nodeExporter: NodeExporter;
  readonly postgresExporter: PostgresExporter;
  readonly alertmanager: Alertmanager;
  readonly grafana: Grafana;
  /** fail2ban, CrowdSec and Suricata on the host, when `security.enabled`. */
  readonly security?: HostSecurity;
  readonly loki: Loki;
  readonly alloy: Alloy;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:ObservabilityStack", name, {}, opts);
    const { settings } = args;
    const secrets: Secrets<pulumi.Output<string>> = {
      ...args.secrets,
      postgresExporterPassword: args.secrets.postgresExporterPassword ?? generatedPassword(`${name}-postgres-exporter-password`, this),
    };
    this.host = new DockerHost(`${name}-host`, { settings, secrets }, { parent: this });
    const files = hostFilesFor(settings, secrets);
    this.prometheus = new Prometheus(`${name}-prometheus`, { settings, host: this.host, files: filesUnder(files, "prometheus") }, { parent: this });
    this.nodeExporter = new NodeExporter(`${name}-node-exporter`, { settings, host: this.host }, { parent: this });
    this.postgresExporter = new PostgresExporter(
      `${name}-postgres-exporter`,
      { settings, host: this.host, files: filesUnder(files, "postgres-exporter"), password: secrets.postgresExporterPassword! },
      { parent: this },
    );
    this.alertmanager = new Alertmanager(`${name}-alertmanager`, { settings, host: this.host, files: filesUnder(files, "alertmanager") }, { parent: this });
    // Grafana's dashboards and data sources go through its API (the provider), not through files on the host.
    this.grafana = new Grafana(`${name}-grafana`, { settings, host: this.host, adminPassword: secrets.grafanaAdminPassword }, { parent: this });
    if (settings.security.enabled) this.security = new HostSecurity(`${name}-security`, { settings, host: this.host.access, files }, { parent: this });
    this.loki = new Loki(`${name}-loki`, { settings, host: this.host, files: filesUnder(files, "loki") }, { parent: this });
    // After Loki, so the first pushes find it (Alloy retries anyway).
    this.alloy = new Alloy(`${name}-alloy`, { settings, host: this.host, files: filesUnder(files, "alloy") }, { parent: this, dependsOn: [this.loki] });
    this.registerOutputs({});
  }
}

/** A password nobody has to know, kept in the state as a secret (mocks do not mark provider outputs secret). */
export function generatedPassword(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  return pulumi.secret(new random.RandomPassword(name, { length: 32, special: false }, { parent }).result);
}
