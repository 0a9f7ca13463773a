/** The whole stack on one Docker host: every component, wired to the files the generators produce. */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { WEB_LOGINS, webHashName, webPasswordName, type WebServer } from "../contract/webAccess";
import { logGatewayAddress } from "../logs/gateway";
import { logGatewayHashName, logGatewayPasswordName, type Secrets, type Settings } from "../settings";
import { Alertmanager } from "./alertmanager";
import { Alloy } from "./alloy";
import { filesUnder } from "./configFiles";
import { DockerHost } from "./dockerHost";
import { Grafana } from "./grafana";
import { GRAFANA_DATASOURCE_LOGINS } from "../grafana/datasources";
import { buildDashboards } from "../dashboards";
import { Loki } from "./loki";
import { NodeExporter } from "./nodeExporter";
import { PostgresExporter } from "./postgresExporter";
import { Prometheus } from "./prometheus";
import { hostFilesFor } from "./renderForHost";
import { HostSecurity } from "./security";
import { SocketProxy } from "./socketProxy";
import { FurtherHost } from "./furtherHost";
import { generateHostsTls } from "./hostsTls";
import { LogGateway } from "./logGateway";
import { Blackbox } from "./blackbox";

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
  readonly socketProxy: SocketProxy;
  /** The further hosts of `hosts`, by name: node exporter, security agents, an Alertmanager peer where named. */
  readonly furtherHosts: Readonly<Record<string, FurtherHost>>;
  /** The further hosts' way to Loki, when there are further hosts. */
  readonly logGateway?: LogGateway;
  readonly blackbox?: Blackbox;
  /** The `operator` logins of Prometheus and Alertmanager (secrets): `pulumi stack output --show-secrets`. */
  readonly operatorPasswords: Readonly<Record<"prometheus" | "alertmanager", pulumi.Output<string>>>;

  constructor(name: string, args: ObservabilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:ObservabilityStack", name, {}, opts);
    const { settings } = args;
    const secrets: Secrets<pulumi.Output<string>> = {
      ...args.secrets,
      ...webLogins(name, this),
      ...logGatewayLogins(name, settings, this),
      postgresExporterPassword:
        args.secrets.postgresExporterPassword ?? generatedPassword(`${name}-postgres-exporter-password`, this),
      // The further hosts' TLS: the operator's own material when all three secrets are set, else generated.
      ...(settings.hosts.length > 0 &&
      !(args.secrets.hostsTlsCaCert && args.secrets.hostsTlsCert && args.secrets.hostsTlsKey)
        ? generateHostsTls(`${name}-hosts-tls`, [...settings.hosts, { address: logGatewayAddress(settings) }], this)
        : {}),
    };
    const secret = (key: keyof Secrets<string>) => secrets[key]!;
    this.operatorPasswords = {
      prometheus: secret(webPasswordName("prometheus", "operator")),
      alertmanager: secret(webPasswordName("alertmanager", "operator")),
    };
    this.host = new DockerHost(`${name}-host`, { settings, secrets }, { parent: this });
    const files = hostFilesFor(settings, secrets);
    this.prometheus = new Prometheus(
      `${name}-prometheus`,
      { settings, host: this.host, files: filesUnder(files, "prometheus") },
      { parent: this },
    );
    this.nodeExporter = new NodeExporter(
      `${name}-node-exporter`,
      {
        settings,
        host: this.host,
        files: filesUnder(files, "node-exporter"),
        backupMetricsDirectory: settings.backups.metricsDirectory,
      },
      { parent: this },
    );
    this.postgresExporter = new PostgresExporter(
      `${name}-postgres-exporter`,
      {
        settings,
        host: this.host,
        files: filesUnder(files, "postgres-exporter"),
        password: secrets.postgresExporterPassword!,
      },
      { parent: this },
    );
    this.alertmanager = new Alertmanager(
      `${name}-alertmanager`,
      { settings, host: this.host, files: filesUnder(files, "alertmanager") },
      { parent: this },
    );
    // Grafana's dashboards and data sources go through its API (the provider), not through files on the host.
    this.grafana = new Grafana(
      `${name}-grafana`,
      {
        settings,
        dashboards: buildDashboards(settings),
        host: this.host,
        adminPassword: secrets.grafanaAdminPassword,
        dataSourcePasswords: {
          prometheus: secret(GRAFANA_DATASOURCE_LOGINS.prometheus),
          alertmanager: secret(GRAFANA_DATASOURCE_LOGINS.alertmanager),
        },
        files: filesUnder(files, "grafana/secrets"),
      },
      { parent: this },
    );
    // After the Docker host: CrowdSec listens on the host's address on the monitoring network, whose bridge must exist.
    if (settings.security.enabled)
      this.security = new HostSecurity(
        `${name}-security`,
        { settings, host: this.host.access, files },
        { parent: this, dependsOn: [this.host] },
      );
    this.loki = new Loki(
      `${name}-loki`,
      { settings, host: this.host, files: filesUnder(files, "loki") },
      { parent: this },
    );
    // Alloy's only way to the Docker API: list, inspect and read logs of containers, nothing else.
    this.socketProxy = new SocketProxy(`${name}-socket-proxy`, { settings, host: this.host }, { parent: this });
    // After Loki, so the first pushes find it (Alloy retries anyway).
    this.alloy = new Alloy(
      `${name}-alloy`,
      { settings, host: this.host, files: filesUnder(files, "alloy") },
      { parent: this, dependsOn: [this.loki, this.socketProxy] },
    );
    if (settings.blackbox.enabled)
      this.blackbox = new Blackbox(
        `${name}-blackbox`,
        { settings, host: this.host, files: filesUnder(files, "blackbox") },
        { parent: this },
      );
    if (settings.hosts.length > 0)
      this.logGateway = new LogGateway(
        `${name}-log-gateway`,
        { settings, host: this.host, files: filesUnder(files, "log-gateway") },
        { parent: this, dependsOn: [this.loki] },
      );
    this.furtherHosts = Object.fromEntries(
      settings.hosts.map((host) => [
        host.name,
        new FurtherHost(
          `${name}-host-${host.name}`,
          { settings, host, files, secrets },
          { parent: this, dependsOn: [this.prometheus] },
        ),
      ]),
    );
    this.registerOutputs({});
  }
}

/**
 * One generated password per login of contract/webAccess.ts, with its bcrypt hash for the server's web config.
 * `RandomPassword.bcryptHash` (@pulumi/random 4.21) is computed once by the provider and kept in the state, so the
 * hash, and thus `web.yml`, changes only when the password does (bcrypt salts: hashing at each run would rewrite
 * the file and reload the server on every `up`). Letters and digits only: the passwords travel in URLs (`user:pw@`
 * of the healthchecks) and in basic auth.
 */
function webLogins(name: string, parent: pulumi.Resource): Secrets<pulumi.Output<string>> {
  const secrets: Secrets<pulumi.Output<string>> = {};
  for (const login of WEB_LOGINS) {
    const password = new random.RandomPassword(
      `${name}-web-${login.server}-${login.user}`,
      { length: 32, special: false },
      { parent },
    );
    secrets[webPasswordName(login.server, login.user)] = pulumi.secret(password.result);
    if (login.server !== ("grafana" satisfies WebServer))
      secrets[webHashName(login.server, login.user)] = pulumi.secret(password.bcryptHash);
  }
  return secrets;
}

/** One generated login per further host at the log gateway: its Alloy's password, the bcrypt hash in the gateway's user file. */
function logGatewayLogins(
  name: string,
  settings: Pick<Settings, "hosts">,
  parent: pulumi.Resource,
): Secrets<pulumi.Output<string>> {
  const secrets: Secrets<pulumi.Output<string>> = {};
  for (const host of settings.hosts) {
    const password = new random.RandomPassword(
      `${name}-log-gateway-${host.name}`,
      { length: 32, special: false },
      { parent },
    );
    secrets[logGatewayPasswordName(host.name)] = pulumi.secret(password.result);
    secrets[logGatewayHashName(host.name)] = pulumi.secret(password.bcryptHash);
  }
  return secrets;
}

/** A password nobody has to know, kept in the state as a secret (mocks do not mark provider outputs secret). */
export function generatedPassword(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  return pulumi.secret(new random.RandomPassword(name, { length: 32, special: false }, { parent }).result);
}
