/**
 * PostgreSQL exporter, connecting as a least-privilege monitoring role. With `postgresExporter.manageRole` the
 * program creates that role in the application's database (through `docker exec` on the host, SQL on stdin).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import {
  monitoringRoleSql,
  POSTGRES_EXPORTER_CONFIG_DIR,
  postgresExporterEnv,
  postgresExporterFlags,
} from "../exporters/postgres";
import { authenticatedHealthcheck } from "../webauth/healthcheck";
import { webConfigFile } from "../webauth/paths";
import { imageOf, SERVICE_PORTS, type Settings } from "../settings";
import { shellQuote } from "../host/scripts";
import type { HostFile } from "./configFiles";
import { configuredService, type ServiceEngine } from "./configuredService";
import { hostCommand } from "./host";

export interface PostgresExporterArgs {
  /** The stack settings it reads: `targets.postgres`, `postgresExporter`, `docker`, `namePrefix`. */
  readonly settings: Pick<Settings, "targets" | "postgresExporter" | "docker" | "namePrefix">;
  /** Engine, network and host access. */
  readonly host: ServiceEngine;
  /** The exporter's files (`postgres-exporter/password`, its web config and login), relative to the config root. */
  readonly files: readonly HostFile[];
  /** The monitoring role's password (secret), used to create the role when `manageRole` is on. */
  readonly password: pulumi.Input<string>;
}

export class PostgresExporter extends pulumi.ComponentResource {
  readonly container: docker.Container;
  /** The command that creates the monitoring role, when the program manages it. */
  readonly role?: pulumi.Resource;

  constructor(name: string, args: PostgresExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("koprogo:observability:PostgresExporter", name, {}, opts);
    const { settings, host } = args;
    const { monitoringUser, database } = settings.targets.postgres;
    const { manageRole, container: postgresContainer, adminUser } = settings.postgresExporter;
    if (manageRole) {
      this.role = hostCommand(
        `${name}-role`,
        host.access,
        {
          create: `${host.access.docker} exec -i ${shellQuote(postgresContainer)} psql -q -U ${shellQuote(adminUser)} -d ${shellQuote(database)}`,
          stdin: pulumi.secret(
            pulumi.output(args.password).apply((password) => monitoringRoleSql(monitoringUser, password, database)),
          ),
          // The role is left in place on delete: dropping it could break a DBA's grants; it holds no data.
        },
        { parent: this },
      );
    }
    this.container = configuredService(name, this, {
      service: "postgresExporter",
      settings,
      host,
      files: args.files,
      image: imageOf(settings, "postgresExporter"),
      memory: settings.postgresExporter.memory,
      envs: postgresExporterEnv(settings),
      hostPort: settings.postgresExporter.hostPort,
      command: postgresExporterFlags(undefined, webConfigFile("postgresExporter").inContainer),
      binds: [{ hostPath: `${host.configRoot}/postgres-exporter`, path: POSTGRES_EXPORTER_CONFIG_DIR, readOnly: true }],
      healthcheck: authenticatedHealthcheck("postgresExporter", `127.0.0.1:${SERVICE_PORTS.postgresExporter}`, "/"),
      after: this.role ? [this.role] : [],
      // The exporter reads its password file at start only: a new password needs a restart.
      onChange: "restart",
    }).container;
    this.registerOutputs({});
  }
}
