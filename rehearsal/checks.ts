/**
 * The host's real state after each phase, read inside the rehearsal host (as root, not over the program's SSH
 * session): files the containers mount, where the secrets are, the agents. Each check returns problems as lines;
 * none means the phase left the host as the program intends.
 */
import type { GraphResource } from "./graph";
import type { RehearsalHost } from "./host";
import { commandsInOrder, type HostCommand } from "./plan";
import { shellQuote } from "../host/scripts";

/**
 * Default user of each image, from the images' own Dockerfiles (`USER`), independent of the program's constants
 * so a wrong constant there is caught: Prometheus, Alertmanager and the PostgreSQL exporter run as `nobody`,
 * Grafana as 472 (primary group 0), Loki as 10001; Alloy has no `USER` and runs as root.
 */
const IMAGE_USERS: Record<string, { uid: number; gid: number }> = {
  "prom/prometheus": { uid: 65534, gid: 65534 },
  "prom/alertmanager": { uid: 65534, gid: 65534 },
  "quay.io/prometheuscommunity/postgres-exporter": { uid: 65534, gid: 65534 },
  "grafana/grafana": { uid: 472, gid: 0 },
  "grafana/loki": { uid: 10001, gid: 10001 },
  "grafana/alloy": { uid: 0, gid: 0 },
};

export interface ServiceUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface Mount {
  readonly container: string;
  readonly user: ServiceUser;
  readonly hostPath: string;
}

function imageRepository(image: string): string {
  return image.replace(/@sha256:.*$/, "").replace(/:[^/:]+$/, "");
}

/** Bind mounts of the stack's containers, with the user each container runs as. */
export function containerMounts(graph: readonly GraphResource[]): Mount[] {
  return graph
    .filter((r) => r.type === "docker:index/container:Container")
    .flatMap((r) => {
      const image = typeof r.inputs.image === "string" ? r.inputs.image : "";
      const explicit = typeof r.inputs.user === "string" ? /^(\d+)(?::(\d+))?$/.exec(r.inputs.user) : null;
      const fromImage = IMAGE_USERS[imageRepository(image)];
      if (!explicit && !fromImage)
        throw new Error(`rehearsal: no known user for image ${image} of ${r.name}: add it to IMAGE_USERS`);
      const user: ServiceUser = explicit
        ? { name: r.name, uid: Number(explicit[1]), gid: Number(explicit[2] ?? explicit[1]) }
        : { name: r.name, ...fromImage };
      const volumes = (Array.isArray(r.inputs.volumes) ? r.inputs.volumes : []) as { hostPath?: string }[];
      // `/` (the node exporter reads the host's filesystems) is not a file the container is given to read.
      return volumes
        .filter((v) => typeof v.hostPath === "string" && v.hostPath !== "/")
        .map((v) => ({ container: r.name, user, hostPath: v.hostPath! }));
    });
}

/** The file a command writes: the target its script renames the temporary file to (`mv -f <tmp> '<target>'`). */
export function writtenFile(command: HostCommand): string | undefined {
  if (!command.create || command.stdin === undefined) return undefined;
  const unquoted = command.create.replace(/'\\''/g, "'");
  const targets = [...unquoted.matchAll(/mv -f \S+ '([^']+)'/g)].map((m) => m[1]);
  return targets[targets.length - 1];
}

/** Every file the program writes, with its content (the writer's stdin). */
export function writtenFiles(graph: readonly GraphResource[]): Map<string, { command: HostCommand; content: string }> {
  const files = new Map<string, { command: HostCommand; content: string }>();
  for (const command of commandsInOrder(graph)) {
    const file = writtenFile(command);
    if (file) files.set(file, { command, content: command.stdin ?? "" });
  }
  return files;
}

interface FileState {
  readonly path: string;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

function stat(host: RehearsalHost, paths: readonly string[]): Map<string, FileState> {
  if (paths.length === 0) return new Map();
  const out = host.root(
    `for f in ${paths.map(shellQuote).join(" ")}; do [ -e "$f" ] && stat -c '%u %g %a %n' "$f"; done; true`,
  ).stdout;
  const states = new Map<string, FileState>();
  for (const line of out.split("\n").filter(Boolean)) {
    const [uid, gid, mode, ...name] = line.split(" ");
    states.set(name.join(" "), { path: name.join(" "), uid: Number(uid), gid: Number(gid), mode: parseInt(mode, 8) });
  }
  return states;
}

/** Whether `user` may read the file by its owner, group and mode (root reads everything). */
export function canRead(user: ServiceUser, file: FileState): boolean {
  if (user.uid === 0) return true;
  if (user.uid === file.uid) return (file.mode & 0o400) !== 0;
  if (user.gid === file.gid) return (file.mode & 0o040) !== 0;
  return (file.mode & 0o004) !== 0;
}

export interface CheckContext {
  readonly host: RehearsalHost;
  readonly graph: readonly GraphResource[];
  /** Secret values the rehearsal gave the program (and the generated password), by name. */
  readonly secrets: Record<string, string>;
  /** Users of the host that are not services: the deploy user. */
  readonly otherUsers: readonly ServiceUser[];
}

/** Every file the containers mount that the program writes: there, same content, readable by the image's user only. */
export function checkMountedFiles(context: CheckContext): string[] {
  const problems: string[] = [];
  const files = writtenFiles(context.graph);
  const mounts = containerMounts(context.graph);
  const users = [
    ...new Map(mounts.map((m) => [`${m.user.uid}:${m.user.gid}`, m.user])).values(),
    ...context.otherUsers,
  ];
  const secretValues = Object.values(context.secrets);
  const mounted = [...files.keys()].flatMap((file) =>
    mounts
      .filter((m) => file === m.hostPath || file.startsWith(`${m.hostPath.replace(/\/$/, "")}/`))
      .map((m) => ({ file, mount: m })),
  );
  const states = stat(context.host, [...new Set(mounted.map((m) => m.file))]);
  for (const { file, mount } of mounted) {
    const state = states.get(file);
    if (!state) {
      problems.push(`${file} (mounted by ${mount.container}) does not exist`);
      continue;
    }
    const content = context.host.root(`cat ${shellQuote(file)}`).stdout;
    if (content !== files.get(file)!.content)
      problems.push(`${file}: content differs from what ${files.get(file)!.command.name} sent`);
    if (!canRead(mount.user, state))
      problems.push(
        `${file}: ${mount.container} (uid ${mount.user.uid}) cannot read it (owner ${state.uid}:${state.gid}, mode ${state.mode.toString(8)})`,
      );
    const secret = secretValues.some((value) => content.includes(value));
    if (secret) {
      const readers = users.filter((u) => u.uid !== 0 && u.uid !== mount.user.uid && canRead(u, state));
      if (readers.length > 0)
        problems.push(
          `${file} holds a secret and is readable by ${readers.map((u) => `${u.name} (uid ${u.uid})`).join(", ")}`,
        );
    }
  }
  return problems;
}

/** Each secret value is in the files the program wrote it to and nowhere else on the host's disk, /run or /tmp. */
export function checkSecretsContained(context: CheckContext): string[] {
  const problems: string[] = [];
  const files = writtenFiles(context.graph);
  const work = context.host.work;
  // The overlay's upper layer holds every file written to the host's disk; /run and /tmp are tmpfs of their own.
  const places = [`${work}/upper`, `${work}/root/run`, `${work}/root/tmp`];
  for (const [name, secret] of Object.entries(context.secrets)) {
    // grep -F reads each line of a pattern as its own pattern: a multi-line secret (an OpenSSH key) is searched by
    // a line of its key material (the first two lines are the same in every ed25519 key).
    const lines = secret.split("\n").filter(Boolean);
    const value = lines.length > 3 ? lines[2] : secret;
    const expected = [...files.entries()].filter(([, f]) => f.content.includes(value)).map(([file]) => file);
    const found = context.host
      .layers(
        `grep -rlF --exclude-dir=proc -- ${shellQuote(value)} ${places.map(shellQuote).join(" ")} 2>/dev/null; true`,
      )
      .stdout.split("\n")
      .filter(Boolean)
      .map((p) => p.replace(`${work}/upper`, "").replace(`${work}/root`, ""));
    const stray = found.filter((p) => !expected.includes(p));
    if (stray.length > 0)
      problems.push(`secret ${name} found outside its file(s) ${expected.join(", ") || "(none)"}: ${stray.join(", ")}`);
  }
  return problems;
}

export interface AgentCheck {
  readonly agent: string;
  readonly packages: readonly string[];
  readonly units: readonly string[];
  /** A command that proves the agent answers. */
  readonly probe: string;
}

export const AGENT_CHECKS: readonly AgentCheck[] = [
  { agent: "fail2ban", packages: ["fail2ban"], units: ["fail2ban"], probe: "fail2ban-client ping" },
  {
    agent: "crowdsec",
    packages: ["crowdsec"],
    units: ["crowdsec", "crowdsec-firewall-bouncer"],
    probe: "cscli metrics",
  },
  {
    agent: "suricata",
    packages: ["suricata"],
    units: ["suricata"],
    probe: "suricata -T -c /etc/suricata/suricata.yaml",
  },
];

/** The agents the graph declares (HostAgent components named `*-<agent>`). */
export function declaredAgents(graph: readonly GraphResource[]): AgentCheck[] {
  const names = graph.filter((r) => r.type === "koprogo:observability:HostAgent").map((r) => r.name);
  return AGENT_CHECKS.filter((a) => names.some((n) => n.endsWith(`-${a.agent}`)));
}

export function checkAgentsRunning(context: CheckContext): string[] {
  const problems: string[] = [];
  for (const agent of declaredAgents(context.graph)) {
    for (const unit of agent.units) {
      const enabled = context.host.root(`systemctl is-enabled ${unit}`).stdout.trim();
      const active = context.host.root(`systemctl is-active ${unit}`).stdout.trim();
      if (enabled !== "enabled") problems.push(`${unit}: is-enabled says ${enabled || "nothing"}`);
      if (active !== "active")
        problems.push(
          `${unit}: is-active says ${active || "nothing"}: ${context.host.root(`journalctl -u ${unit} -n 5 --no-pager -q`).stdout.trim()}`,
        );
    }
    const probe = context.host.root(`timeout 60 ${agent.probe}`);
    if (probe.code !== 0)
      problems.push(
        `${agent.agent}: \`${agent.probe}\` exited ${probe.code}: ${(probe.stderr || probe.stdout).trim().split("\n").slice(-3).join(" / ")}`,
      );
  }
  return problems;
}

/** After destroy: packages purged (not even config files left), the program's files gone. */
export function checkDestroyed(context: CheckContext, deployedGraph: readonly GraphResource[]): string[] {
  const problems: string[] = [];
  for (const agent of declaredAgents(deployedGraph)) {
    for (const pkg of agent.packages) {
      const status = context.host.root(`dpkg-query -W -f='\${db:Status-Abbrev}' ${pkg} 2>/dev/null`).stdout.trim();
      if (status !== "" && !status.startsWith("un") && !status.startsWith("pn"))
        problems.push(`${pkg} is not purged (dpkg: ${status})`);
    }
  }
  const left = [...stat(context.host, [...writtenFiles(deployedGraph).keys()]).keys()];
  if (left.length > 0) problems.push(`files the program wrote are still there: ${left.join(", ")}`);
  return problems;
}

/** Named volumes' data paths: a marker is put there before the first deploy and must survive every phase. */
export function volumePaths(graph: readonly GraphResource[]): string[] {
  return graph
    .filter((r) => r.type === "docker:index/volume:Volume")
    .map(
      (r) =>
        `/var/lib/docker/volumes/${typeof r.inputs.name === "string" ? r.inputs.name : r.name}/_data/kreh-data-marker`,
    );
}

export function checkVolumesUntouched(context: CheckContext): string[] {
  const paths = volumePaths(context.graph);
  const present = stat(context.host, paths);
  return paths.filter((p) => !present.has(p)).map((p) => `data volume path ${p} was removed`);
}
