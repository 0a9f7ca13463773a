/**
 * Starts the e2e stack from the rendered configuration: shared servers (node exporter, a stub target) and
 * "lanes", each a Prometheus + Alertmanager + stand-in API + receivers set with its own database exporter, so
 * that scenarios that would disturb each other (the API down vs. the API slow) run at the same time.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { nodeExporterFlags } from "../exporters/node";
import { postgresExporterEnv, postgresExporterFlags } from "../exporters/postgres";
import { renderAll, type RenderedFile } from "../stack/files";
import { SECRET_NAMES, serviceAddress, type SecretName, type Secrets, type Settings } from "../settings";
import { webConfigFile } from "../webauth/paths";
import { basicAuthorization, e2eLoginSecrets, type Endpoint } from "./logins";
import { createPostgresCluster, type PostgresCluster } from "./postgres";
import { freePort, startProcess, waitHttpOk, type ManagedProcess, type StartOptions } from "./processes";
import { Receivers } from "./receivers";
import { nativeAlertmanagerArgs, nativePrometheusArgs } from "./serverFlags";
import { E2E_POSTGRES_PASSWORD, e2eSettings, TIMINGS, type E2eAddresses, type NotificationTiming } from "./settings";
import { standInApiCommand, type ApiMode } from "./standInApi";
import { TOOLS } from "./tools";

/**
 * A fake value per secret; the e2e receivers need none, the exporter's password is the cluster's, and the logins
 * of contract/webAccess.ts are real passwords with real bcrypt hashes (e2e/logins.ts).
 */
export function e2eSecrets(): Record<SecretName, string> & Secrets<string> {
  const secrets = Object.fromEntries(SECRET_NAMES.map((name) => [name, `e2e-fake-${name}`])) as Record<
    SecretName,
    string
  >;
  secrets.postgresExporterPassword = E2E_POSTGRES_PASSWORD;
  return { ...secrets, ...e2eLoginSecrets() };
}

/** Writes every rendered file under `dir` (as the components write them under the config root). */
export function writeRendered(
  settings: Settings,
  dir: string,
  transform: (file: RenderedFile) => RenderedFile = (file) => file,
): void {
  for (const file of renderAll(settings, e2eSecrets()).map(transform)) {
    const target = path.join(dir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content, { mode: file.secret ? 0o600 : 0o644 });
  }
}

const loopback = (port: number) => `127.0.0.1:${port}`;

/** `NAME=value` entries (Docker's form) as an environment object. */
function envObject(entries: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    entries.map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
  );
}

/** A `/metrics` that stands in for Loki, Alloy and Grafana, which the e2e run does not start. */
async function startStubTarget(): Promise<{ address: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.url === "/metrics")
      response.writeHead(200, { "Content-Type": "text/plain" }).end("# TYPE e2e_stub_up gauge\ne2e_stub_up 1\n");
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("stub target: no address");
  return {
    address: loopback(address.port),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A PostgreSQL cluster and its exporter (started from the settings of the lane that owns it). */
export interface Database {
  readonly cluster: PostgresCluster;
  readonly address: string;
  readonly exporterAddress: string;
  exporter?: ManagedProcess;
}

/** The stand-in API as a process of its own: killing it is the "API process stops" fault. */
export class ApiProcess {
  private process: ManagedProcess | undefined;

  constructor(
    readonly address: string,
    private readonly logDir: string,
  ) {}

  /**
   * Starts the process and waits for its health endpoint. A start that does not answer in time is killed before the
   * error is thrown: a lane that failed to start is never handed to `stop()`, and this process used to outlive the
   * suite (the stand-in APIs a run left behind; ts-node compiling under load can take most of the 30 s).
   */
  async start(): Promise<void> {
    if (this.process) return;
    this.process = startProcess({
      name: `api-${this.address.split(":")[1]}`,
      ...standInApiCommand(this.address),
      logDir: this.logDir,
    });
    try {
      await waitHttpOk(`http://${this.address}/api/v1/health`, this.process, 60_000);
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** SIGKILL: the process is gone at once, as in a crash. */
  async kill(): Promise<void> {
    const current = this.process;
    this.process = undefined;
    await current?.kill();
  }

  async setMode(mode: ApiMode): Promise<void> {
    const response = await fetch(`http://${this.address}/-/mode`, { method: "POST", body: JSON.stringify(mode) });
    if (!response.ok) throw new Error(`stand-in API refused mode ${JSON.stringify(mode)}: ${await response.text()}`);
  }
}

export interface LaneOptions {
  readonly timing?: NotificationTiming;
  /** Extra raw config values merged over the e2e profile. */
  readonly overrides?: Record<string, unknown>;
  /** The exporter's command line; the product's flags by default (the benchmark's baseline passes the exporter's defaults). */
  readonly postgresExporterArgs?: (settings: Settings) => string[];
  /**
   * For the benchmark's baseline only (the "what if we did not trim" comparison): changes a rendered file before
   * it is written. The scenarios never use it: they run what the render produces.
   */
  readonly baselineTransform?: (file: RenderedFile) => RenderedFile;
  /** More Prometheus flags (the benchmark's `--web.enable-admin-api`, to snapshot the TSDB it measures). */
  readonly prometheusArgs?: readonly string[];
  /**
   * Fills Prometheus's empty data directory before it starts (the SLO lanes' hours of backfilled history,
   * e2e/requestHistory.ts), from the lane's settings.
   */
  readonly seedPrometheusData?: (dataDir: string, settings: Settings) => Promise<void>;
}

export interface Lane {
  readonly name: string;
  readonly settings: Settings;
  readonly dir: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  /** Prometheus and Alertmanager as the harness calls them: with the `operator` login. */
  readonly prometheus: Endpoint;
  readonly alertmanager: Endpoint;
  readonly receivers: Receivers;
  readonly api: ApiProcess;
  readonly database: Database;
  readonly processes: { prometheus: ManagedProcess; alertmanager: ManagedProcess };
}

export interface Shared {
  readonly dir: string;
  readonly logDir: string;
  readonly nodeExporterAddress: string;
  readonly stubTargetAddress: string;
  readonly nodeExporter: ManagedProcess;
  readonly closeStub: () => Promise<void>;
}

export class E2eStack {
  readonly lanes: Lane[] = [];
  private readonly databases: Database[] = [];
  private readonly receivers: Receivers[] = [];
  /** Every stand-in API started, also those of a lane whose start failed half-way (it is then in no `lanes`). */
  private readonly apis: ApiProcess[] = [];
  /** The servers this stack started (several stacks may run at once: each stops only its own). */
  private readonly processes: ManagedProcess[];

  private constructor(readonly shared: Shared) {
    this.processes = [shared.nodeExporter];
  }

  private start(options: StartOptions): ManagedProcess {
    const started = startProcess(options);
    this.processes.push(started);
    return started;
  }

  /** Starts the shared servers. Always pair with `stop()` in a `finally` or `afterAll`. */
  static async start(options: { nodeExporterArgs?: (settings: Settings) => string[] } = {}): Promise<E2eStack> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "koprogo-e2e-"));
    const logDir = path.join(dir, "logs");
    const stub = await startStubTarget();
    const nodeExporterAddress = loopback(await freePort());
    // The flags come from the settings, as the component's do; any lane's settings give the same ones.
    const settings = e2eSettings({
      addresses: placeholderAddresses(nodeExporterAddress, stub.address),
      receiverUrl: () => "http://127.0.0.1:1/",
    });
    // Its web config from the render, as in the container (the logins are the same in every lane).
    const sharedConfig = path.join(dir, "shared-config");
    writeRendered(settings, sharedConfig);
    const webConfig = path.join(sharedConfig, webConfigFile("nodeExporter").rendered);
    // The host's root is `/` for a native run (the container mounts it at /host).
    const nodeExporter = startProcess({
      name: "node-exporter",
      command: TOOLS.nodeExporter,
      args: (options.nodeExporterArgs ?? ((s) => nodeExporterFlags(serviceAddress(s, "nodeExporter"), "/", webConfig)))(
        settings,
      ),
      logDir,
    });
    await waitHttpOk(
      `http://${nodeExporterAddress}/metrics`,
      nodeExporter,
      undefined,
      basicAuthorization("nodeExporter", "prometheus"),
    );
    return new E2eStack({
      dir,
      logDir,
      nodeExporterAddress,
      stubTargetAddress: stub.address,
      nodeExporter,
      closeStub: stub.close,
    });
  }

  /** A new PostgreSQL cluster; its exporter starts with the first lane that uses it. */
  async database(): Promise<Database> {
    const port = await freePort();
    const cluster = await createPostgresCluster({
      port,
      database: "koprogo_db",
      monitoringUser: "koprogo_monitoring",
      monitoringPassword: E2E_POSTGRES_PASSWORD,
      logDir: this.shared.logDir,
    });
    const database: Database = { cluster, address: loopback(port), exporterAddress: loopback(await freePort()) };
    this.databases.push(database);
    return database;
  }

  /** Starts a lane: renders its configuration from its settings and runs Prometheus and Alertmanager on it. */
  async lane(name: string, database: Database, options: LaneOptions = {}): Promise<Lane> {
    const dir = path.join(this.shared.dir, name);
    const receivers = new Receivers();
    this.receivers.push(receivers);
    await receivers.start();
    const addresses: E2eAddresses = {
      prometheus: loopback(await freePort()),
      alertmanager: loopback(await freePort()),
      nodeExporter: this.shared.nodeExporterAddress,
      postgresExporter: database.exporterAddress,
      stubTarget: this.shared.stubTargetAddress,
      api: loopback(await freePort()),
      postgres: database.address,
    };
    const settings = e2eSettings({
      addresses,
      receiverUrl: (role) => receivers.url(role),
      timing: options.timing ?? TIMINGS.tuned,
      overrides: options.overrides,
    });
    writeRendered(settings, path.join(dir, "config"), options.baselineTransform);

    if (!database.exporter) {
      database.exporter = this.start({
        name: `postgres-exporter-${name}`,
        command: TOOLS.postgresExporter,
        args: (
          options.postgresExporterArgs ??
          ((s) =>
            postgresExporterFlags(
              serviceAddress(s, "postgresExporter"),
              path.join(dir, "config", webConfigFile("postgresExporter").rendered),
            ))
        )(settings),
        // The password file is the rendered one (`postgres-exporter/password`), as in the container.
        env: envObject(postgresExporterEnv(settings, path.join(dir, "config/postgres-exporter/password"))),
        logDir: this.shared.logDir,
      });
      await waitHttpOk(
        `http://${database.exporterAddress}/metrics`,
        database.exporter,
        undefined,
        basicAuthorization("postgresExporter", "prometheus"),
      );
    }
    const api = new ApiProcess(addresses.api, this.shared.logDir);
    this.apis.push(api);
    await api.start();

    const alertmanagerConfig = path.join(dir, "config/alertmanager/alertmanager.yml");
    if (!fs.existsSync(alertmanagerConfig))
      throw new Error(`the render produced no alertmanager/alertmanager.yml (is the alerting renderer in RENDERERS?)`);
    const configDir = path.join(dir, "config");
    const alertmanager = this.start({
      name: `alertmanager-${name}`,
      command: TOOLS.alertmanager,
      args: nativeAlertmanagerArgs(settings, {
        configDir,
        dataDir: path.join(dir, "alertmanager-data"),
        listen: addresses.alertmanager,
      }),
      logDir: this.shared.logDir,
    });
    const prometheusData = path.join(dir, "prometheus-data");
    await options.seedPrometheusData?.(prometheusData, settings);
    const prometheus = this.start({
      name: `prometheus-${name}`,
      command: TOOLS.prometheus,
      args: [
        ...nativePrometheusArgs(settings, { configDir, dataDir: prometheusData, listen: addresses.prometheus }),
        ...(options.prometheusArgs ?? []),
      ],
      logDir: this.shared.logDir,
    });
    const endpoints = {
      prometheus: {
        url: `http://${addresses.prometheus}`,
        authorization: basicAuthorization("prometheus", "operator"),
      },
      alertmanager: {
        url: `http://${addresses.alertmanager}`,
        authorization: basicAuthorization("alertmanager", "operator"),
      },
    };
    await Promise.all([
      waitHttpOk(
        `${endpoints.alertmanager.url}/-/ready`,
        alertmanager,
        undefined,
        endpoints.alertmanager.authorization,
      ),
      waitHttpOk(`${endpoints.prometheus.url}/-/ready`, prometheus, undefined, endpoints.prometheus.authorization),
    ]);
    const lane: Lane = {
      name,
      settings,
      dir,
      prometheusUrl: endpoints.prometheus.url,
      alertmanagerUrl: endpoints.alertmanager.url,
      ...endpoints,
      receivers,
      api,
      database,
      processes: { prometheus, alertmanager },
    };
    this.lanes.push(lane);
    return lane;
  }

  /** Stops everything this stack started, whatever state it is in, and deletes its files. */
  async stop(options: { keepFiles?: boolean } = {}): Promise<void> {
    await Promise.allSettled([
      ...this.apis.map((api) => api.kill()),
      ...this.receivers.map((r) => r.stop()),
      this.shared.closeStub(),
    ]);
    await Promise.allSettled(this.processes.reverse().map((p) => p.stop(3000)));
    await Promise.allSettled(this.databases.map((db) => db.cluster.destroy()));
    if (!options.keepFiles) fs.rmSync(this.shared.dir, { recursive: true, force: true });
  }
}

/** Addresses for settings that only the node exporter's flags are read from. */
function placeholderAddresses(nodeExporter: string, stubTarget: string): E2eAddresses {
  return {
    prometheus: "127.0.0.1:1",
    alertmanager: "127.0.0.1:1",
    nodeExporter,
    postgresExporter: "127.0.0.1:1",
    stubTarget,
    api: "127.0.0.1:1",
    postgres: "127.0.0.1:1",
  };
}
