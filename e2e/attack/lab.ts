/**
 * The attack lab: the stack as the program declares it, on namespaces that behave like Docker's networks
 * (e2e/netns.ts). Prometheus, Alertmanager and the exporters run for real (the deployed versions, the rendered
 * files, the containers' own command lines); the services that have no binary here (Loki, Alloy, Grafana, and
 * CrowdSec on the host) are stood in for by a listener on their real port and address, so that who can open a
 * connection to them is still measured, not assumed. The application's containers named by the targets
 * (`koprogo-backend`, ...) join the application's network; the backend runs the stand-in API.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { containerName, SERVICE_NAMES, SERVICE_PORTS, type ServiceName, type Settings } from "../../settings";
import { NetworkLab, type LabContainer } from "../netns";
import { GiveUp, logTail, startProcess, waitFor, type ManagedProcess } from "../processes";
import { standInApiCommand } from "../standInApi";
import { curlIn } from "./curl";
import { containerUser, declaredFileWrites, networksOf, type DeclaredContainer, type DeclaredStack } from "./declared";
import { nativeRun, runnableBinary, withEtcMounts } from "./native";
import { execLines } from "./systemd";

const run = promisify(execFile);

/** A listener that answers every request `200 stand-in for <what>`: only reachability is measured through it. */
const LISTENER_JS = `const [host, port, what] = process.argv.slice(1);
require("http").createServer((q, r) => r.writeHead(200, { "Content-Type": "text/plain" }).end("stand-in for " + what + "\\n")).listen(Number(port), host);`;

/** Docker's userland proxy for a published port: `host ip:port` on the host → the container's address. */
const FORWARDER_JS = `const [host, port, toHost, toPort] = process.argv.slice(1);
const net = require("net");
net.createServer((c) => { const u = net.connect(Number(toPort), toHost); c.pipe(u).pipe(c); const end = () => { c.destroy(); u.destroy(); }; c.on("error", end); u.on("error", end); }).listen(Number(port), host);`;

export interface PublishedPort {
  readonly container: string;
  readonly service: ServiceName | undefined;
  /** Host address and port, in the host namespace. */
  readonly ip: string;
  readonly port: number;
}

export interface AttackLabOptions {
  readonly declared: DeclaredStack;
  readonly settings: Settings;
  /** Rendered files of the settings (the config root's content). */
  readonly renderDir: string;
  /** Scratch space: data volumes, logs, overlays. */
  readonly workDir: string;
  /** `katk-` */
  readonly prefix: string;
  /** `10.230` */
  readonly subnet16: string;
}

export interface RunningService {
  readonly container: string;
  readonly netns: string;
  readonly process: ManagedProcess;
  /** `real` for the deployed binary, `stand-in` for a port listener. */
  readonly kind: "real" | "stand-in";
  /** `http://127.0.0.1:<port>` inside its namespace. */
  readonly port: number;
}

/** The Docker host name part of `host:port`. */
const hostOf = (address: string) => address.slice(0, address.lastIndexOf(":"));
const portOf = (address: string) => Number(address.slice(address.lastIndexOf(":") + 1));

/** The stack service a container is, from its name (`<namePrefix>-<service>`). */
export function serviceOf(settings: Settings, container: string): ServiceName | undefined {
  return SERVICE_NAMES.find((service) => containerName(settings, service) === container);
}

/** The application's containers the settings name as targets: they are on the application's network. */
export function applicationContainers(settings: Settings): { name: string; port: number }[] {
  const { api, postgres, traefik } = settings.targets;
  return [api.address, postgres.address, ...(traefik ? [traefik] : [])]
    .filter((address) => /^[a-z][a-z0-9_.-]*:\d+$/i.test(address) && !/^\d/.test(address))
    .map((address) => ({ name: hostOf(address), port: portOf(address) }));
}

export class AttackLab {
  readonly services: RunningService[] = [];
  /** Ports published on the host, as Docker's proxy publishes them (the declared `ports`). */
  readonly published: PublishedPort[] = [];
  private readonly processes: ManagedProcess[] = [];

  private constructor(
    readonly net: NetworkLab,
    readonly options: AttackLabOptions,
  ) {}

  get logDir(): string {
    return path.join(this.options.workDir, "logs");
  }

  /** The application network: the one the settings join (the application's `koprogo-network` in prod). */
  get applicationNetwork(): string {
    return this.options.settings.docker.network.name;
  }

  /** The namespace of the application's API container: where "the application's side" attacks from. */
  get applicationNetns(): string {
    return this.net.container(hostOf(this.options.settings.targets.api.address)).netns;
  }

  static async start(options: AttackLabOptions): Promise<AttackLab> {
    const net = NetworkLab.create({ prefix: options.prefix, subnet16: options.subnet16 });
    const lab = new AttackLab(net, options);
    try {
      lab.build();
      await lab.startServices();
    } catch (error) {
      await lab.stop();
      throw error;
    }
    return lab;
  }

  /** Namespaces, bridges and hosts files from the declared containers and the application's targets. */
  private build(): void {
    const { declared, settings } = this.options;
    // Fixed subnets first, so that the others are given the free /24s around them.
    const networks = networksOf(declared).sort(
      (a, b) => Number(b.subnet !== undefined) - Number(a.subnet !== undefined),
    );
    for (const network of networks) this.net.addNetwork(network);
    if (!networks.some((n) => n.name === this.applicationNetwork))
      this.net.addNetwork({ name: this.applicationNetwork, internal: false });
    this.net.reserve(
      declared.containers.flatMap((c) => c.networks.flatMap((n) => (n.ipv4Address ? [n.ipv4Address] : []))),
    );
    for (const container of declared.containers) {
      if (container.networkMode === "host") continue;
      if (container.networks.length === 0)
        throw new Error(`${container.name} joins no network and is not on the host's: the lab cannot place it`);
      this.net.addContainer({
        name: container.name,
        networks: container.networks.map((n) => n.name),
        aliases: [...new Set(container.networks.flatMap((n) => n.aliases))],
        staticAddresses: Object.fromEntries(
          container.networks.flatMap((n) => (n.ipv4Address ? [[n.name, n.ipv4Address]] : [])),
        ),
      });
    }
    // The application's Traefik also joins the network it reaches Grafana on (Grafana's `traefik.docker.network`
    // label), as the program's `traefik-joins` command connects it on the VPS.
    const grafanaNetwork = declared.containers
      .map((c) => c.labels["traefik.docker.network"])
      .find((n): n is string => n !== undefined && n !== this.applicationNetwork);
    const traefik = settings.targets.traefik ? hostOf(settings.targets.traefik) : undefined;
    for (const app of applicationContainers(settings))
      this.net.addContainer({
        name: app.name,
        networks: [
          this.applicationNetwork,
          ...(app.name === traefik && grafanaNetwork && networks.some((n) => n.name === grafanaNetwork)
            ? [grafanaNetwork]
            : []),
        ],
      });
    this.net.writeHostsFiles();
  }

  /** The namespace a declared container runs in (the host's for `networkMode: host`). */
  netnsOf(container: DeclaredContainer): string {
    return container.networkMode === "host" ? this.net.host : this.net.container(container.name).netns;
  }

  labContainer(name: string): LabContainer {
    return this.net.container(name);
  }

  /** The host directory the program writes this stack's files under. */
  get configRoot(): string {
    return `${this.options.settings.docker.configRoot.replace(/\/$/, "")}/${this.options.settings.namePrefix}`;
  }

  /**
   * The rendered files with the modes and owners the program's write commands give them on the host, so that
   * each server, run as its container's user, reads its files as on the VPS (or fails to, as it would there).
   * The lab's directory becomes searchable (0711, as the host's config root is), not listable.
   */
  private ownFiles(): void {
    const { renderDir, workDir } = this.options;
    fs.chmodSync(workDir, 0o711);
    for (const write of declaredFileWrites(this.options.declared)) {
      if (!write.target.startsWith(`${this.configRoot}/`)) continue;
      const file = path.join(renderDir, write.target.slice(this.configRoot.length + 1));
      if (!fs.existsSync(file)) continue;
      fs.chmodSync(file, Number.parseInt(write.mode, 8));
      fs.chownSync(file, write.owner, write.group);
    }
  }

  private async startServices(): Promise<void> {
    const { declared, settings, renderDir, workDir } = this.options;
    const dataDir = path.join(workDir, "volumes");
    const configRoot = this.configRoot;
    this.ownFiles();
    const waits: Promise<void>[] = [];
    for (const container of declared.containers) {
      const netns = this.netnsOf(container);
      const service = serviceOf(settings, container.name);
      if (runnableBinary(container.image)) {
        const run = nativeRun(container, { configRoot, renderDir, dataDir });
        const user = containerUser(container);
        // Data volumes handed to the container's user before it starts, as components/volumeOwner.ts does.
        for (const mount of container.mounts.filter((m) => m.kind === "volume")) {
          fs.mkdirSync(path.join(dataDir, mount.source), { recursive: true, mode: 0o755 });
          if (user) fs.chownSync(path.join(dataDir, mount.source), user.uid, user.gid);
        }
        // Made here too: the first runnable container may mount no volume at all.
        fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });
        fs.chmodSync(dataDir, 0o755);
        const scratch = path.join(workDir, "overlays", container.name);
        for (const sub of ["upper", "work"]) fs.mkdirSync(path.join(scratch, sub), { recursive: true });
        // As the container's user (`setpriv` after `ip netns exec`, which needs root to enter the namespace).
        // The parent-death signal set again after the change of user, which clears it (prctl(2); processes.ts).
        const asUser = user
          ? ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--pdeathsig", "KILL"]
          : [];
        const { command, args } = withEtcMounts(run, scratch, [
          "ip",
          "netns",
          "exec",
          netns,
          ...asUser,
          run.binary,
          ...run.args,
        ]);
        const proc = this.start({ name: container.name, command, args, env: run.env, logDir: this.logDir });
        const port = listenPort(run.args) ?? (service ? SERVICE_PORTS[service] : undefined);
        if (port === undefined) throw new Error(`${container.name}: no listen port in its command`);
        const local = container.networkMode === "host" ? listenHost(run.args) : "127.0.0.1";
        this.services.push({ container: container.name, netns, process: proc, kind: "real", port });
        waits.push(this.waitAnswering(netns, `http://${local}:${port}/`, proc));
      } else if (service || commandListenAddress(container.command)) {
        // No binary here: a listener on the service's port and on the address its command binds (all by default).
        const bind = commandListenAddress(container.command);
        const port = bind?.port ?? SERVICE_PORTS[service!];
        const host = bind?.host || "0.0.0.0";
        const proc = this.start({
          name: container.name,
          command: process.execPath,
          args: ["-e", LISTENER_JS, host, String(port), container.name],
          netns,
          logDir: this.logDir,
        });
        this.services.push({ container: container.name, netns, process: proc, kind: "stand-in", port });
        waits.push(this.waitAnswering(netns, `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/`, proc));
      }
    }
    const api = settings.targets.api.address;
    const apiNetns = this.applicationNetns;
    const apiProcess = this.start({
      name: hostOf(api),
      ...standInApiCommand(`0.0.0.0:${portOf(api)}`),
      netns: apiNetns,
      logDir: this.logDir,
    });
    waits.push(this.waitAnswering(apiNetns, `http://127.0.0.1:${portOf(api)}/api/v1/health`, apiProcess, 60_000));
    for (const container of declared.containers.filter((c) => c.networkMode !== "host")) {
      for (const port of container.ports.filter((p) => p.external !== undefined)) {
        const ip = port.ip ?? "0.0.0.0";
        const to = Object.values(this.net.container(container.name).addresses)[0];
        const proc = this.start({
          name: `publish-${container.name}-${port.external}`,
          command: process.execPath,
          args: ["-e", FORWARDER_JS, ip, String(port.external), to, String(port.internal)],
          netns: this.net.host,
          logDir: this.logDir,
        });
        this.published.push({
          container: container.name,
          service: serviceOf(settings, container.name),
          ip: ip === "0.0.0.0" ? this.net.publicAddress : ip,
          port: port.external!,
        });
        waits.push(
          this.waitAnswering(this.net.host, `http://${ip === "0.0.0.0" ? "127.0.0.1" : ip}:${port.external}/`, proc),
        );
      }
    }
    await Promise.all(waits);
  }

  /**
   * A host agent the lab cannot run (CrowdSec): what its systemd drop-ins run before it starts (`ExecStartPre=`,
   * e.g. the firewall rule that keeps its metrics to the monitoring network), in the host namespace, then a
   * listener on its rendered address standing in for it.
   */
  async hostAgent(name: string, address: string, dropIns: readonly string[]): Promise<void> {
    for (const dropIn of dropIns) {
      for (const line of execLines(fs.readFileSync(dropIn, "utf8"), "ExecStartPre")) {
        const [command, ...args] = line.argv;
        try {
          await run("ip", ["netns", "exec", this.net.host, command, ...args], { timeout: 15_000 });
        } catch (error) {
          if (!line.ignoreFailure)
            throw new Error(
              `${name}: ExecStartPre ${line.argv.join(" ")} failed in the host namespace: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`,
              { cause: error },
            );
        }
      }
    }
    const proc = this.start({
      name,
      command: process.execPath,
      args: ["-e", LISTENER_JS, hostOf(address), String(portOf(address)), name],
      netns: this.net.host,
      logDir: this.logDir,
    });
    this.services.push({
      container: name,
      netns: this.net.host,
      process: proc,
      kind: "stand-in",
      port: portOf(address),
    });
    await this.waitAnswering(this.net.host, `http://${address}/`, proc);
  }

  /**
   * What an attacker who owns one of the application's containers serves on its port: `body` for every request
   * (the container's scrape target then carries what the attacker writes).
   */
  async serveFromApplication(container: string, port: number, body: string): Promise<void> {
    const netns = this.net.container(container).netns;
    const js = `const [port, body] = process.argv.slice(1); require("http").createServer((q, r) => r.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" }).end(body)).listen(Number(port), "0.0.0.0");`;
    const proc = this.start({
      name: `${container}-attacker`,
      command: process.execPath,
      args: ["-e", js, String(port), body],
      netns,
      logDir: this.logDir,
    });
    this.services.push({ container, netns, process: proc, kind: "stand-in", port });
    await this.waitAnswering(netns, `http://127.0.0.1:${port}/`, proc);
  }

  service(container: string): RunningService {
    const found = this.services.find((s) => s.container === container);
    if (!found) throw new Error(`the lab runs no ${container}`);
    return found;
  }

  private start(options: Parameters<typeof startProcess>[0]): ManagedProcess {
    const proc = startProcess(options);
    this.processes.push(proc);
    return proc;
  }

  /** Resolves once `url` gives any HTTP answer inside `netns` (401 counts: the server is up, and it wants a login). */
  private async waitAnswering(netns: string, url: string, proc: ManagedProcess, timeoutMs = 30_000): Promise<void> {
    let exitedWith: string | undefined;
    void proc.exited.then((code) => (exitedWith = code));
    try {
      await waitFor(
        `${url} to answer in ${netns}`,
        async () => {
          if (exitedWith !== undefined) throw new GiveUp(`${proc.name} exited (${exitedWith}) before ${url} answered`);
          const outcome = await curlIn(netns, { url, connectTimeout: 1 });
          if (outcome.kind === "http") return true;
          throw new Error(JSON.stringify(outcome));
        },
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}:\n${logTail(proc)}`, { cause: error });
    }
  }

  /** Stops every process, then deletes the namespaces and the lab's files. */
  async stop(options: { keepFiles?: boolean } = {}): Promise<void> {
    await Promise.allSettled(this.processes.reverse().map((p) => p.stop(3000)));
    this.net.destroySync();
    if (!options.keepFiles) fs.rmSync(this.options.workDir, { recursive: true, force: true });
  }
}

/**
 * The address a command's flags bind: `--…listen…=host:port` (`--server.http.listen-addr`, `--web.listen-address`),
 * or a host flag and a port flag apart (`-listenip=0.0.0.0 -proxyport=2375`, the socket proxy's).
 */
export function commandListenAddress(command: readonly string[]): { host: string; port: number } | undefined {
  const joined = command.map((a) => /^--?[\w.-]*listen[\w.-]*=(.*):(\d+)$/.exec(a)).find((m) => m !== null);
  if (joined) return { host: joined[1], port: Number(joined[2]) };
  const port = command.map((a) => /^--?[\w.-]*port=(\d+)$/i.exec(a)).find((m) => m !== null);
  if (!port) return undefined;
  const host = command.map((a) => /^--?[\w.-]*listen[\w.-]*=([\d.]+)$/i.exec(a)).find((m) => m !== null);
  return { host: host?.[1] ?? "", port: Number(port[1]) };
}

/** `--web.listen-address=host:port` → port. */
function listenPort(args: readonly string[]): number | undefined {
  const flag = args.find((a) => a.startsWith("--web.listen-address="));
  return flag ? portOf(flag.slice(flag.indexOf("=") + 1)) : undefined;
}

/** `--web.listen-address=host:port` → host, or loopback for `:port`. */
function listenHost(args: readonly string[]): string {
  const flag = args.find((a) => a.startsWith("--web.listen-address="));
  const host = flag ? hostOf(flag.slice(flag.indexOf("=") + 1)) : "";
  return host || "127.0.0.1";
}
