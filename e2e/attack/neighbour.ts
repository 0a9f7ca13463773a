/**
 * A neighbour on the VPS's provider link against Docker's own chains (issue 20, item 7), on a real engine: Debian's
 * `dockerd` in a network namespace of its own with its iptables rules on (e2e/dockerEngine.ts), the stack's
 * networks as the program declares them (names, fixed subnet, `internal`), and for every container that publishes a
 * port a stand-in on the same networks and the same published ports (busybox's httpd on each container port: only
 * who can connect is measured). The neighbour is a namespace linked to the engine's namespace by a veth pair: one
 * L2 segment with the host's "public" interface (`pub0`), as the machines of one provider's LAN, with a route to
 * every container subnet through the host's public address. It connects to each container port on each of the
 * container's addresses.
 *
 * Kernel preconditions, set in the engine's namespace before any attempt and read back into the result (the verdict
 * must not depend on the machine): `net.ipv4.ip_forward=1` (a Docker host forwards), `br_netfilter` loaded with
 * `net.bridge.bridge-nf-call-iptables=1` (as on every Docker host: Docker sets it for its bridges), and the `FORWARD`
 * policy `DROP` (what Docker sets when it turns forwarding on itself; the stricter of the two a VPS may have).
 *
 * What the program adds is applied as it deploys it: every declared host command whose script starts with
 * `host/directAccess.ts`'s marker line is run, as root, in the engine's namespace (its iptables rules only: the files
 * that re-apply them at boot are another command, not run here). With `rules: "none"` nothing is applied: Docker's
 * chains alone.
 */
import { execFile } from "child_process";
import { promisify } from "util";
import { startDockerEngine, type DockerEngine } from "../dockerEngine";
import type { DeclaredStack } from "./declared";

const run = promisify(execFile);

/** The marker line `host/directAccess.ts` writes first in its apply script (a program output, matched as text). */
const DIRECT_ACCESS_MARKER_PREFIX = "# koprogo-observability: no connection from outside straight to a container";

export interface NeighbourAttempt {
  readonly container: string;
  readonly network: string;
  readonly address: string;
  readonly port: number;
  /** `200`, or why not (`no answer in 3 s`). */
  readonly got: string;
  readonly reached: boolean;
}

export interface NeighbourResult {
  /** The kernel preconditions as read back in the host's namespace. */
  readonly kernel: readonly string[];
  /** The program's rules applied (the number of declared commands run). */
  readonly applied: number;
  readonly attempts: readonly NeighbourAttempt[];
  /** Docker's filter rules for published ports (`DOCKER` chain) as they stood. */
  readonly dockerChain: readonly string[];
  /** What must still work: the published public port, the loopback-published ports, Traefik to Grafana. */
  readonly harness: readonly { readonly what: string; readonly ok: boolean; readonly got: string }[];
}

export interface NeighbourOptions {
  readonly declared: DeclaredStack;
  /** The application's network name (`docker.network.name`), created here as the application's Compose would. */
  readonly applicationNetwork: string;
  /** Grafana's container name, and the network the application's Traefik reaches it on (its label). */
  readonly grafana: { readonly container: string; readonly network: string; readonly port: number };
  /** Three octets for the engine's veth (`10.251.42`). */
  readonly engineSubnet: string;
  /** `declared`: the program's rules; `none`: Docker's chains alone. */
  readonly rules: "declared" | "none";
  /** Builds the stand-ins' image (busybox's httpd, sh, wget) in the engine: lab/images' busybox base in the tests. */
  readonly standInImage: (engine: DockerEngine) => Promise<string>;
  readonly parentDir?: string;
  readonly log?: (line: string) => void;
}

/** The inner script of `asRoot`'s wrapper (`s='…'`), or the command itself. */
function innerScript(command: string): string {
  const quoted = /^s='((?:[^']|'\\'')*)'$/m.exec(command);
  return quoted ? quoted[1].replace(/'\\''/g, "'") : command;
}

async function sh(args: readonly string[], timeoutMs = 20_000): Promise<string> {
  const { stdout } = await run(args[0], args.slice(1), { timeout: timeoutMs, encoding: "utf8" });
  return stdout.trim();
}

/** `curl` from a namespace: the HTTP code, or why there was none. */
async function curlFrom(netns: string, url: string): Promise<{ ok: boolean; got: string }> {
  try {
    const code = await sh(
      ["ip", "netns", "exec", netns, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "3", url],
      10_000,
    );
    return { ok: code === "200", got: code };
  } catch (error) {
    const exit = (error as { code?: number }).code;
    return { ok: false, got: exit === 28 ? "no answer in 3 s" : exit === 7 ? "refused" : `curl exit ${exit}` };
  }
}

export async function neighbourExperiment(options: NeighbourOptions): Promise<NeighbourResult> {
  const log = options.log ?? (() => undefined);
  const tag = `${process.pid}`;
  const neighbour = `knbr-${tag}`;
  const publicVeth = `kpub${tag}`;
  let engine: DockerEngine | undefined;
  let neighbourMade = false;
  try {
    engine = await startDockerEngine({
      name: "neighbour",
      parentDir: options.parentDir,
      network: { subnet: options.engineSubnet },
    });
    const host = engine.netns!;
    const inHost = (args: readonly string[]) => sh(["ip", "netns", "exec", host, ...args]);
    const image = await options.standInImage(engine);
    log(`engine ${engine.name} up in ${host}, image ${image}`);

    // Kernel preconditions of the verdict, set and read back.
    await inHost(["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
    try {
      await inHost(["sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=1"]);
    } catch {
      throw new Error(
        "br_netfilter is not loaded (no net.bridge.bridge-nf-call-iptables): `modprobe br_netfilter`, as Docker does on every host",
      );
    }
    await inHost(["iptables", "-w", "-P", "FORWARD", "DROP"]);
    const kernel = [
      await inHost(["sysctl", "net.ipv4.ip_forward"]),
      await inHost(["sysctl", "net.bridge.bridge-nf-call-iptables"]),
      `FORWARD policy ${(await inHost(["iptables", "-w", "-S", "FORWARD"])).split("\n")[0].replace(/^-P FORWARD /, "")}`,
    ];

    // The networks: the program's as declared, and the application's as its Compose project makes it.
    const networks = [
      ...options.declared.networks,
      ...(options.declared.networks.some((n) => n.name === options.applicationNetwork)
        ? []
        : [{ name: options.applicationNetwork, internal: false }]),
    ];
    for (const network of networks) {
      const gateway = network.subnet?.replace(/\.0\/\d+$/, ".1");
      await engine.docker([
        "network",
        "create",
        ...(network.internal ? ["--internal"] : []),
        ...(network.subnet && gateway ? ["--subnet", network.subnet, "--gateway", gateway] : []),
        network.name,
      ]);
    }

    // A stand-in per container that publishes a port: same networks (aliases), same published ports.
    const publishers = options.declared.containers.filter((c) => c.ports.length > 0 && c.networkMode !== "host");
    const listen = (ports: readonly number[]) =>
      `${ports.map((p) => `/bin/busybox httpd -p ${p} -h /etc`).join(" && ")} && exec /bin/busybox sleep 86400`;
    for (const container of publishers) {
      const [first, ...rest] = container.networks;
      await engine.docker([
        "create",
        "--name",
        container.name,
        "--network",
        first.name,
        ...first.aliases.flatMap((a) => ["--network-alias", a]),
        ...container.ports.flatMap((p) => ["-p", `${p.ip ? `${p.ip}:` : ""}${p.external ?? ""}:${p.internal}`]),
        "--entrypoint",
        "/bin/busybox",
        image,
        "sh",
        "-c",
        listen(container.ports.map((p) => p.internal)),
      ]);
      for (const network of rest)
        await engine.docker([
          "network",
          "connect",
          ...network.aliases.flatMap((a) => ["--alias", a]),
          network.name,
          container.name,
        ]);
      await engine.docker(["start", container.name]);
    }
    // The application's Traefik: its public port published on every address, and Grafana's network joined as the
    // program joins it (docker network connect).
    const traefikPort = 8080;
    await engine.docker([
      "run",
      "-d",
      "--name",
      "koprogo-traefik",
      "--network",
      options.applicationNetwork,
      "-p",
      `${traefikPort}:80`,
      "--entrypoint",
      "/bin/busybox",
      image,
      "sh",
      "-c",
      listen([80]),
    ]);
    if (options.grafana.network !== options.applicationNetwork)
      await engine.docker(["network", "connect", options.grafana.network, "koprogo-traefik"]);

    // The neighbour: one veth, one L2 segment with the host's public interface, a route to the containers.
    const publicAddress = "198.51.100.10";
    await sh(["ip", "netns", "add", neighbour]);
    neighbourMade = true;
    await sh(["ip", "link", "add", publicVeth, "type", "veth", "peer", "name", "eth0", "netns", neighbour]);
    await sh(["ip", "link", "set", publicVeth, "netns", host]);
    await inHost(["ip", "link", "set", publicVeth, "name", "pub0"]);
    await inHost(["ip", "addr", "add", `${publicAddress}/24`, "dev", "pub0"]);
    await inHost(["ip", "link", "set", "pub0", "up"]);
    await sh(["ip", "-n", neighbour, "link", "set", "lo", "up"]);
    await sh(["ip", "-n", neighbour, "addr", "add", "198.51.100.20/24", "dev", "eth0"]);
    await sh(["ip", "-n", neighbour, "link", "set", "eth0", "up"]);
    const subnets = new Set<string>();
    for (const network of networks)
      subnets.add(
        (
          await engine.docker(["network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", network.name])
        ).trim(),
      );
    for (const subnet of subnets) await sh(["ip", "-n", neighbour, "route", "add", subnet, "via", publicAddress]);

    // The program's rules, as it deploys them.
    let applied = 0;
    if (options.rules === "declared")
      for (const command of options.declared.hostCommands) {
        const script = innerScript(command);
        if (!script.startsWith(DIRECT_ACCESS_MARKER_PREFIX)) continue;
        await inHost(["sh", "-c", script]);
        applied++;
      }
    const dockerChain = (await inHost(["iptables", "-w", "-S", "DOCKER"]))
      .split("\n")
      .filter((l) => l.startsWith("-A"));

    const targets: Omit<NeighbourAttempt, "got" | "reached">[] = [];
    for (const container of publishers) {
      const addresses = (
        await engine.docker([
          "inspect",
          "-f",
          "{{range $name, $n := .NetworkSettings.Networks}}{{$name}}={{$n.IPAddress}} {{end}}",
          container.name,
        ])
      )
        .trim()
        .split(" ")
        .map((entry) => entry.split("="));
      for (const [network, address] of addresses)
        for (const port of container.ports.map((p) => p.internal))
          targets.push({ container: container.name, network, address, port });
    }
    // At once: a refused try waits out its 3 s.
    const attempts: NeighbourAttempt[] = await Promise.all(
      targets.map(async (target) => {
        const result = await curlFrom(neighbour, `http://${target.address}:${target.port}/passwd`);
        return { ...target, got: result.got, reached: result.ok };
      }),
    );

    const harness: { what: string; ok: boolean; got: string }[] = [];
    const published = await curlFrom(neighbour, `http://${publicAddress}:${traefikPort}/passwd`);
    harness.push({
      what: `the application's published port ${publicAddress}:${traefikPort} from the neighbour`,
      ...published,
    });
    for (const container of publishers)
      for (const port of container.ports.filter((p) => p.external !== undefined)) {
        const address = port.ip && port.ip !== "0.0.0.0" ? port.ip : "127.0.0.1";
        const local = await curlFrom(host, `http://${address}:${port.external}/passwd`);
        harness.push({ what: `${container.name} on the host's ${address}:${port.external}`, ...local });
      }
    try {
      // From a one-shot container in Traefik's own network namespace (`--network container:`), not `docker exec`:
      // the same interfaces, addresses and DNS as Traefik, and no exec, which runc 1.1 refuses in the fresh-root CI
      // ("exec: /bin/busybox: stat … no such file or directory" in a running overlay2 container).
      await engine.docker([
        "run",
        "--rm",
        "--network",
        "container:koprogo-traefik",
        "--entrypoint",
        "/bin/busybox",
        image,
        "wget",
        "-q",
        "-O",
        "/dev/null",
        `http://${options.grafana.container}:${options.grafana.port}/passwd`,
      ]);
      harness.push({
        what: `Traefik to ${options.grafana.container}:${options.grafana.port} on ${options.grafana.network}`,
        ok: true,
        got: "200",
      });
    } catch (error) {
      harness.push({
        what: `Traefik to ${options.grafana.container}:${options.grafana.port}`,
        ok: false,
        // The end of the message holds the command's own error (its stderr comes after the command line).
        got: (error as Error).message.slice(-300),
      });
    }
    return { kernel, applied, attempts, dockerChain, harness };
  } finally {
    if (neighbourMade) await sh(["ip", "netns", "del", neighbour]).catch(() => undefined);
    await engine?.stop();
  }
}
