/**
 * What the program declares for Docker, in the few fields the attack lab needs: each container's image, command,
 * environment, networks, mounts and published ports, and the networks the program creates. The attack test fills
 * it from the resource graph (the program run under Pulumi's mocks), so the lab's membership is the program's own
 * network assignment, never a copy typed into the test.
 */
export interface DeclaredMount {
  /** `volume`: a named volume (data); `bind`: a host path. */
  readonly kind: "volume" | "bind";
  /** Volume name or host path. */
  readonly source: string;
  /** Path inside the container. */
  readonly target: string;
  readonly readOnly: boolean;
}

export interface DeclaredPort {
  readonly internal: number;
  readonly external?: number;
  /** Host address the port is published on. */
  readonly ip?: string;
}

export interface DeclaredContainer {
  readonly name: string;
  readonly image: string;
  /** Arguments after the image's entrypoint. */
  readonly command: readonly string[];
  /** `KEY=value`. */
  readonly env: readonly string[];
  /** Docker networks joined, in order, with the aliases on each. */
  readonly networks: readonly {
    readonly name: string;
    readonly aliases: readonly string[];
    readonly ipv4Address?: string;
  }[];
  /** `host` for the host's network namespace. */
  readonly networkMode?: string;
  readonly user?: string;
  readonly mounts: readonly DeclaredMount[];
  readonly ports: readonly DeclaredPort[];
  readonly labels: Readonly<Record<string, string>>;
}

export interface DeclaredNetwork {
  readonly name: string;
  /** Docker's `internal`: no route out of the network. */
  readonly internal: boolean;
  /** A fixed subnet (`ipamConfigs`), when the program sets one. */
  readonly subnet?: string;
}

export interface DeclaredStack {
  readonly containers: readonly DeclaredContainer[];
  /** The networks the program creates (an external network, the application's, is only named by containers). */
  readonly networks: readonly DeclaredNetwork[];
  /** Host commands the program runs (their text), e.g. the files it writes with their owner. */
  readonly hostCommands: readonly string[];
}

/** Every network a container of the stack joins, created by the program or not (`internal` only when declared so). */
export function networksOf(stack: DeclaredStack): DeclaredNetwork[] {
  const names = [...new Set(stack.containers.flatMap((c) => c.networks.map((n) => n.name)))];
  return names.map((name) => stack.networks.find((n) => n.name === name) ?? { name, internal: false });
}

export function declaredContainer(stack: DeclaredStack, name: string): DeclaredContainer {
  const found = stack.containers.find((c) => c.name === name);
  if (!found)
    throw new Error(
      `the program declares no container ${name} (containers: ${stack.containers.map((c) => c.name).join(", ")})`,
    );
  return found;
}

/** A file the program writes on the host (host/scripts.ts `writeFileScript`): where, with which mode and owner. */
export interface DeclaredFileWrite {
  /** Absolute path on the host. */
  readonly target: string;
  /** Octal text, `0600`. */
  readonly mode: string;
  /** uid and gid it is handed to. */
  readonly owner: number;
  readonly group: number;
}

/** The script inside `asRoot`'s sudo wrapper (`s='…'`, single quotes escaped as `'\''`), or the command itself. */
function innerScript(command: string): string {
  const quoted = /^s='((?:[^']|'\\'')*)'$/m.exec(command);
  return quoted ? quoted[1].replace(/'\\''/g, "'") : command;
}

/**
 * The files the program's host commands write, read from the commands' text in `writeFileScript`'s shape:
 * `chown UID:GID "$tmp"`, `chmod MODE "$tmp"`, `mv -f "$tmp" 'FILE'` (tests/unit/attack.harness.test.ts parses the
 * function's own output, so a change of shape fails there first).
 */
export function declaredFileWrites(stack: Pick<DeclaredStack, "hostCommands">): DeclaredFileWrite[] {
  return stack.hostCommands.flatMap((command) => {
    const script = innerScript(command);
    const target = /mv -f "\$tmp" '([^']+)'/.exec(script)?.[1];
    const mode = /chmod (0\d{3}) "\$tmp"/.exec(script)?.[1];
    const owner = /chown (\d+):(\d+) "\$tmp"/.exec(script);
    return target && mode && owner ? [{ target, mode, owner: Number(owner[1]), group: Number(owner[2]) }] : [];
  });
}

/** `uid:gid` of a container's `user`; gid 0 when only a uid is given (Docker's default for a uid unknown to the image). */
export function containerUser(container: DeclaredContainer): { uid: number; gid: number } | undefined {
  if (!container.user) return undefined;
  const [uid, gid] = container.user.split(":");
  if (!/^\d+$/.test(uid) || (gid !== undefined && !/^\d+$/.test(gid)))
    throw new Error(`${container.name}: user ${container.user} is not numeric uid[:gid]`);
  return { uid: Number(uid), gid: Number(gid ?? 0) };
}
