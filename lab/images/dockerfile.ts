/**
 * Dockerfiles of the lab's images, as text, from a typed description (pure: no file, no Docker). The legacy
 * builder (`DOCKER_BUILDKIT=0`) reads them: no heredocs, no `--link`, no `# syntax`; exec forms are JSON arrays,
 * which is what `JSON.stringify` writes. Every value is checked before it is written: a path, user, port or
 * environment value that would change the meaning of a line (a newline, a quote in the wrong place) is refused
 * with the image's name and the field.
 */

/** A file of the build context copied into the image. */
export interface ImageCopy {
  /** Path inside the build context (relative, `/`-separated; a trailing `/` copies a folder's content). */
  readonly from: string;
  /** Absolute path in the image (a trailing `/` for a folder). */
  readonly to: string;
  /** `uid:gid` the copied files get (`COPY --chown`). */
  readonly chown?: string;
}

/** One image as its Dockerfile says it, in the order the lines are written. */
export interface DockerfileSpec {
  /** The image's name, for error messages. */
  readonly name: string;
  /** `FROM`: another lab image's reference, or `scratch`. */
  readonly from: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** `SHELL` for the `RUN` lines that follow (Loki's image runs its RUN lines with `/busybox/sh`). */
  readonly shell?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** `WORKDIR` before the copies, as upstream places it (Prometheus, Grafana). */
  readonly workdirFirst?: string;
  readonly copies: readonly ImageCopy[];
  /** `RUN` lines: a string is a shell command (run by `SHELL`), an array an exec form. */
  readonly run?: readonly (string | readonly string[])[];
  readonly user?: string;
  readonly expose?: readonly number[];
  readonly volumes?: readonly string[];
  /** `WORKDIR` after the rest, as Alertmanager's Dockerfile places it. */
  readonly workdir?: string;
  readonly stopSignal?: string;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
}

const SAFE_TEXT = /^[^\n\r"\\]*$/;

function refuse(spec: Pick<DockerfileSpec, "name">, field: string, value: unknown, why: string): never {
  throw new Error(`image ${spec.name}: ${field} ${JSON.stringify(value)} ${why}`);
}

function absolutePath(spec: DockerfileSpec, field: string, value: string): string {
  if (!/^\/[A-Za-z0-9._@+/-]*$/.test(value) || value.includes("/../") || value.endsWith("/.."))
    refuse(spec, field, value, "must be an absolute path of letters, digits and . _ @ + - /");
  return value;
}

function contextPath(spec: DockerfileSpec, field: string, value: string): string {
  if (!/^[A-Za-z0-9._-][A-Za-z0-9._@+/-]*$/.test(value) || value.split("/").includes(".."))
    refuse(spec, field, value, "must be a relative path inside the build context");
  return value;
}

function userSpec(spec: DockerfileSpec, field: string, value: string): string {
  if (!/^([a-z_][a-z0-9_-]{0,31}|\d{1,10})(:([a-z_][a-z0-9_-]{0,31}|\d{1,10}))?$/.test(value))
    refuse(spec, field, value, "must be a user or uid, optionally :group or :gid");
  return value;
}

function execForm(spec: DockerfileSpec, field: string, argv: readonly string[]): string {
  if (argv.length === 0) refuse(spec, field, argv, "must not be empty");
  for (const arg of argv) if (/[\n\r]/.test(arg)) refuse(spec, field, arg, "must be on one line");
  return JSON.stringify(argv);
}

/** `KEY="value"` pairs; values may not hold a quote, a backslash or a newline (the builder would read them). */
function pairs(spec: DockerfileSpec, field: string, values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([key, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) refuse(spec, `${field} key`, key, "must be a plain name");
      if (!SAFE_TEXT.test(value)) refuse(spec, `${field}.${key}`, value, "must hold no quote, backslash or newline");
      return `${key}="${value}"`;
    })
    .join(" ");
}

/** The Dockerfile's text. */
export function renderDockerfile(spec: DockerfileSpec): string {
  const lines: string[] = [];
  const from = spec.from === "scratch" ? "scratch" : spec.from;
  if (!/^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$/.test(from))
    refuse(spec, "from", spec.from, "must be `scratch` or an image reference");
  lines.push(`FROM ${from}`);
  if (spec.labels && Object.keys(spec.labels).length > 0) lines.push(`LABEL ${pairs(spec, "labels", spec.labels)}`);
  if (spec.shell) lines.push(`SHELL ${execForm(spec, "shell", spec.shell)}`);
  if (spec.env && Object.keys(spec.env).length > 0) lines.push(`ENV ${pairs(spec, "env", spec.env)}`);
  if (spec.workdirFirst) lines.push(`WORKDIR ${absolutePath(spec, "workdirFirst", spec.workdirFirst)}`);
  for (const copy of spec.copies) {
    const chown = copy.chown ? `--chown=${userSpec(spec, "copies.chown", copy.chown)} ` : "";
    lines.push(
      `COPY ${chown}${contextPath(spec, "copies.from", copy.from)} ${absolutePath(spec, "copies.to", copy.to)}`,
    );
  }
  for (const command of spec.run ?? []) {
    if (typeof command === "string") {
      if (/[\n\r]/.test(command)) refuse(spec, "run", command, "must be one line (join commands with &&)");
      lines.push(`RUN ${command}`);
    } else lines.push(`RUN ${execForm(spec, "run", command)}`);
  }
  if (spec.user) lines.push(`USER ${userSpec(spec, "user", spec.user)}`);
  for (const port of spec.expose ?? []) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) refuse(spec, "expose", port, "must be a TCP port");
    lines.push(`EXPOSE ${port}`);
  }
  if (spec.volumes && spec.volumes.length > 0)
    lines.push(`VOLUME ${JSON.stringify(spec.volumes.map((v) => absolutePath(spec, "volumes", v)))}`);
  if (spec.workdir) lines.push(`WORKDIR ${absolutePath(spec, "workdir", spec.workdir)}`);
  if (spec.stopSignal) {
    if (!/^SIG[A-Z0-9]+$/.test(spec.stopSignal)) refuse(spec, "stopSignal", spec.stopSignal, "must be like SIGQUIT");
    lines.push(`STOPSIGNAL ${spec.stopSignal}`);
  }
  if (spec.entrypoint) lines.push(`ENTRYPOINT ${execForm(spec, "entrypoint", spec.entrypoint)}`);
  if (spec.cmd) lines.push(`CMD ${execForm(spec, "cmd", spec.cmd)}`);
  return `${lines.join("\n")}\n`;
}
