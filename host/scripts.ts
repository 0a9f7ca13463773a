/**
 * The shell scripts that run on the Docker host (or on this machine for a local engine), as pure functions: no
 * Pulumi here, so the generators (`security/agents.ts`), the components and the tests share one implementation.
 * Every script is POSIX `sh` and uses only options GNU coreutils and the BSD tools of macOS share (a `dev` stack
 * runs them on a laptop).
 */
import * as crypto from "crypto";

/** Single-quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Stable digest of a text: used to tell a changed file from an unchanged one without keeping its content. */
export function contentHash(content: string): string {
  return crypto.createHash("sha256").update(content).digest("hex");
}

/**
 * How a script gets root on the host:
 * - `root`: the SSH user is root, the script runs as is;
 * - `sudo`: the SSH user is a deploy user; the script runs through `sudo -n /bin/sh -c` (never prompting: a
 *   missing sudo rule fails at once, with the rule to add);
 * - `detect`: a local command (a `dev` stack on a laptop), run by root or by a developer; decided when it runs
 *   (`id -u`), so the command's text is the same whoever runs `pulumi up`.
 */
export type RootAccess = "root" | "sudo" | "detect";

/** Absolute, so a sudo rule can name exactly this program (`/bin/sh`, also `/usr/bin/sh` on merged-/usr hosts). */
const SHELL = "/bin/sh";

const SUDO_HINT = `cannot run ${SHELL} through sudo without a password: add the sudo rule of docs/operator/deploying.md ("Prepare the VPS")`;

/**
 * The sudoers line a deploy user needs (docs/operator/deploying.md): the shell `asRoot` runs, without a password. Both
 * names of the shell, for hosts where /bin is a link to /usr/bin (sudo matches the path it is given).
 */
export function sudoRule(user: string): string {
  if (!/^[a-z_][a-z0-9_-]*$/.test(user)) throw new Error(`user \`${user}\` must be a user name`);
  return `${user} ALL=(root) NOPASSWD: ${SHELL}, /usr${SHELL}`;
}

/** `script` run as root. Standard input passes through, so files and secrets still travel on stdin. */
export function asRoot(script: string, access: RootAccess): string {
  if (access === "root") return script;
  const viaSudo = [
    `sudo -n ${SHELL} -c : 2>/dev/null || { echo "user $(id -un) ${SUDO_HINT}" >&2; exit 1; }`,
    `exec sudo -n ${SHELL} -c "$s"`,
  ];
  if (access === "sudo") return [`s=${shellQuote(script)}`, ...viaSudo].join("\n");
  return [`s=${shellQuote(script)}`, `if [ "$(id -u)" -eq 0 ]; then exec ${SHELL} -c "$s"; fi`, ...viaSudo].join("\n");
}

/** Owner and permissions of a file written on the host. */
export interface FileOwnership {
  /** Octal mode, e.g. `0600`. */
  readonly mode: string;
  /** Numeric uid owning the file (the reading container's user). Defaults to root. */
  readonly owner?: number;
  /** Numeric gid. Defaults to the owner's number (so a group-readable mode never opens the file to gid 0). */
  readonly group?: number;
}

/** Refuses what would be unsafe or meaningless in a script: a relative path, a mode or id that is not a number. */
export function assertFileOwnership(file: string, ownership: FileOwnership): void {
  if (!/^\/[^\0\n]*[^/]$/.test(file)) throw new Error(`host file path \`${file}\` must be absolute and name a file`);
  if (!/^0[0-7]{3}$/.test(ownership.mode))
    throw new Error(`mode \`${ownership.mode}\` of ${file} must be an octal mode like 0600 or 0644`);
  for (const [key, id] of [
    ["owner", ownership.owner],
    ["group", ownership.group],
  ] as const) {
    if (id !== undefined && !(Number.isInteger(id) && id >= 0 && id < 2 ** 31))
      throw new Error(`${key} \`${id}\` of ${file} must be a numeric id between 0 and 2147483647`);
  }
}

/** Directory part of an absolute file path. */
function directoryOf(file: string): string {
  return file.slice(0, file.lastIndexOf("/")) || "/";
}

/**
 * Atomically writes stdin to `file` with its final owner and mode. The temporary file is created in the target
 * directory by `mktemp` under `umask 077` (0600, root's, empty), given its final owner and mode while still empty,
 * then filled, then renamed over the target: at no moment does the content exist under another owner or with a
 * wider mode, and a reader sees the old file or the new one, never half of one. The trap removes the temporary
 * file when any step fails or the script is interrupted. Directories that do not exist yet are created root's
 * and 0755 (containers must traverse them; the files protect themselves); existing ones are left as they are.
 */
export function writeFileScript(file: string, ownership: FileOwnership): string {
  assertFileOwnership(file, ownership);
  const owner = ownership.owner ?? 0;
  const group = ownership.group ?? owner;
  const name = file.slice(file.lastIndexOf("/") + 1);
  return [
    "set -eu",
    "umask 022",
    `mkdir -p ${shellQuote(directoryOf(file))}`,
    "umask 077",
    `tmp=$(mktemp ${shellQuote(`${directoryOf(file)}/.${name}.`)}XXXXXX)`,
    `trap 'rm -f "$tmp"' EXIT`,
    "trap 'exit 1' HUP INT TERM",
    `chown ${owner}:${group} "$tmp"`,
    `chmod ${ownership.mode} "$tmp"`,
    `cat > "$tmp"`,
    `mv -f "$tmp" ${shellQuote(file)}`,
  ].join("\n");
}

/** Removes a file the stack wrote (on `destroy`, or when the file leaves the program). */
export function removeFileScript(file: string): string {
  return `rm -f ${shellQuote(file)}`;
}

/**
 * Prefixes `script` with a comment carrying the digest of `values`. A Command's `triggers` always replace it
 * (see `components/host.ts`); a changed script text is an update instead, which runs the `update` script and
 * never the old resource's `delete`. The comment is how "run again when these values change" stays an update.
 */
export function withRerunKey(script: string, values: readonly string[]): string {
  return `# rerun when changed: ${contentHash(values.join("\n"))}\n${script}`;
}

/**
 * The `docker` CLI for the engine the Docker provider uses. On this machine the provider talks to `docker.host`
 * (`unix:///var/run/docker.sock` by default), while a bare `docker` would follow the CLI's current context (Docker
 * Desktop, colima): so local commands name the engine with `-H`. On the VPS a bare `docker` is right: the provider's
 * `ssh://` engine runs `docker system dial-stdio` there as the same user, which reaches the same default engine.
 */
export function dockerCli(engine: string | undefined): string {
  return engine === undefined ? "docker" : `docker -H ${shellQuote(engine)}`;
}

/**
 * Sends `signal` to a running container; does nothing when it does not run (a stopped container reads its files
 * when it starts again).
 */
export function signalContainerScript(container: string, signal: "HUP" | "TERM" = "HUP", docker = "docker"): string {
  const quoted = shellQuote(container);
  return `if [ "$(${docker} inspect -f '{{.State.Running}}' ${quoted} 2>/dev/null)" = "true" ]; then ${docker} kill --signal=${signal} ${quoted} >/dev/null; fi`;
}

/** Restarts a container that exists (for services that cannot reload their configuration). */
export function restartContainerScript(container: string, docker = "docker"): string {
  const quoted = shellQuote(container);
  return `if ${docker} inspect ${quoted} >/dev/null 2>&1; then ${docker} restart ${quoted} >/dev/null; fi`;
}

/** How long and how often `waitForHttpScript` asks. */
export interface HttpWait {
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
  /** A fixed string the body must contain (e.g. Grafana's `"database": "ok"` without spaces handled by a pattern). */
  readonly bodyPattern: string;
  /** What to check when it never answers: appended to the failure message. */
  readonly hint: string;
}

/**
 * Waits until `url` answers 2xx with a body matching `bodyPattern` (an extended regex for `grep -E`), asking
 * with `curl` as the caller will (same URL, certificate verified), every `pollSeconds` until `timeoutSeconds`,
 * then fails with the last error and the hint. Each try is bounded by curl's `--max-time`.
 */
export function waitForHttpScript(url: string, wait: HttpWait): string {
  const tryTimeout = Math.max(1, Math.min(10, wait.pollSeconds * 5));
  return [
    "set -u",
    `command -v curl >/dev/null 2>&1 || { echo "curl is needed on the machine running pulumi up, to wait for ${url}" >&2; exit 1; }`,
    `deadline=$(( $(date +%s) + ${wait.timeoutSeconds} ))`,
    "last=''",
    "while :; do",
    `  if body=$(curl -fsS --max-time ${tryTimeout} ${shellQuote(url)} 2>&1); then`,
    `    if printf '%s' "$body" | grep -Eq ${shellQuote(wait.bodyPattern)}; then exit 0; fi`,
    `    last="answered without ${wait.bodyPattern.replace(/["\\$`]/g, "")}"`,
    "  else",
    `    last=$body`,
    "  fi",
    `  if [ "$(date +%s)" -ge "$deadline" ]; then`,
    `    echo "${url} did not answer within ${wait.timeoutSeconds}s (last: $last). ${wait.hint.replace(/["\\$`]/g, "")}" >&2`,
    "    exit 1",
    "  fi",
    `  sleep ${wait.pollSeconds}`,
    "done",
  ].join("\n");
}
