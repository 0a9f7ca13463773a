/**
 * Builds the lab's images into a Docker engine (e2e/dockerEngine.ts, or any engine a `docker` CLI reaches):
 * assembles each build context from the tool cache, the Go module sources and the generated files, writes the
 * Dockerfile (lab/images/dockerfile.ts) and runs the legacy builder (`DOCKER_BUILDKIT=0`; no registry is reached:
 * every `FROM` is `scratch` or a lab base built or imported first).
 *
 * Built images are kept as `docker save` archives in the tool cache (`<cache>/lab-images/`), keyed by a hash of the
 * Dockerfile and of every file of the context: a second engine (another test, the lab) loads them in seconds, and
 * a changed binary or Dockerfile builds anew. The `debian` base is a `debootstrap --variant=minbase` root, made once
 * per machine and kept as a tar archive beside them.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { DockerRunOptions } from "../../e2e/dockerEngine";
import { fetchedVersion, toolCacheDir, toolPath, toolRoot, type BinaryName } from "../../toolchain/cache";
import * as toolVersions from "../../toolchain/versions";
import { upstreamVersion } from "../../toolchain/report";
import { TOOL_VERSIONS, type ToolName } from "../../toolchain/versions";
import { BUSYBOX_BASES, DEBIAN_BASE, type BaseName } from "./bases";
import type { ContextFile } from "./context";
import { renderDockerfile, type DockerfileSpec } from "./dockerfile";
import { labImages, type LabImage, type LabImageInputs, type LabImageName } from "./services";

/** The part of a Docker engine the build needs: a `docker` CLI call against it. */
export interface DockerCli {
  docker(args: readonly string[], options?: DockerRunOptions): Promise<string>;
}

/**
 * Why an image cannot be built here, or undefined when it can: its tool is one no test can run (toolchain/versions.ts
 * `UNAVAILABLE_TOOLS`, with the written reason), no entry names its binary, or the tool cache lacks the binary.
 */
export function unbuildableReason(image: LabImage, cache = toolCacheDir()): string | undefined {
  const unavailable = (toolVersions as { UNAVAILABLE_TOOLS?: Readonly<Record<string, { readonly reason: string }>> })
    .UNAVAILABLE_TOOLS?.[image.tool];
  if (unavailable) return `${image.tool} is unavailable here: ${unavailable.reason}`;
  const known = new Set(Object.values(TOOL_VERSIONS).flatMap((tool) => Object.keys(tool.binaries)));
  for (const file of image.files) {
    if (file.source.kind !== "tool" && file.source.kind !== "toolRoot") continue;
    const { binary } = file.source;
    if (!known.has(binary)) return `no binary \`${binary}\` in toolchain/versions.ts`;
    const where = toolPath(binary as BinaryName, cache);
    if (!fs.existsSync(where)) return `\`${binary}\` is not in the tool cache (${where}): run \`npm run fetch-tools\``;
  }
  return undefined;
}

/** Default repository prefix of the lab's images: `koprogo-lab/prometheus:v3.5.0`. */
export const LAB_IMAGE_PREFIX = "koprogo-lab";

export interface BuiltImage {
  readonly name: LabImageName;
  /** `<prefix>/<repository>:<tag>`. */
  readonly reference: string;
  /** `docker image inspect .Size`: the image with its base layers. */
  readonly sizeBytes: number;
  /** Whether it was built now (false: loaded from the cache's archive). */
  readonly built: boolean;
  readonly seconds: number;
  readonly image: LabImage;
}

export interface BuildOptions {
  /** Repository prefix. Defaults to `koprogo-lab`. */
  readonly prefix?: string;
  /** Only these images (with the bases they need). Defaults to all. */
  readonly only?: readonly LabImageName[];
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** Tool cache. Defaults to `toolCacheDir()`. */
  readonly cache?: string;
}

export const labImageReference = (prefix: string, image: Pick<LabImage, "repository" | "tag">): string =>
  `${prefix}/${image.repository}:${image.tag}`;

const baseReference = (prefix: string, base: BaseName): string =>
  base === "debian" ? `${prefix}/debian:${DEBIAN_BASE.suite}` : `${prefix}/${base}:${TOOL_VERSIONS.busybox.deployed}`;

/** The tool whose `binaries` holds `binary`. */
function ownerOf(binary: string): ToolName {
  const owner = (Object.keys(TOOL_VERSIONS) as ToolName[]).find((tool) => binary in TOOL_VERSIONS[tool].binaries);
  if (!owner)
    throw new Error(`lab images: no tool of toolchain/versions.ts has a binary named ${JSON.stringify(binary)}`);
  return owner;
}

/**
 * The upstream release a tool-cache version names (toolchain/report.ts `upstreamVersion`), without Debian's repack
 * suffix: `1:0.28.1+ds-1` → `0.28.1`, `v3.5.0` → `3.5.0`.
 */
export function labVersion(version: string): string {
  return upstreamVersion(version).replace(/\+(ds|dfsg)[0-9.]*$/, "");
}

/** The version of the binary each image carries, from the tool cache (absent when its tool is not there). */
export function labImageInputs(cache = toolCacheDir()): LabImageInputs {
  const versions = labImages({ versions: {} }).flatMap((image) => {
    if (!(image.tool in TOOL_VERSIONS)) return [];
    const version = fetchedVersion(image.tool as ToolName, cache);
    return version ? [[image.name, labVersion(version)] as const] : [];
  });
  return { versions: Object.fromEntries(versions) };
}

const goModuleDirs = new Map<string, string>();

/** The source folder of a Go module at a version, downloaded through the Go module proxy when missing. */
function goModuleDir(moduleAtVersion: string): string {
  const known = goModuleDirs.get(moduleAtVersion);
  if (known) return known;
  const go = fs.existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go";
  let info: { Dir?: string; Error?: string };
  try {
    info = JSON.parse(
      execFileSync(go, ["mod", "download", "-json", moduleAtVersion], { encoding: "utf8", cwd: os.tmpdir() }),
    ) as typeof info;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout ?? "";
    throw new Error(`lab images: go mod download ${moduleAtVersion} failed: ${stdout || (error as Error).message}`, {
      cause: error,
    });
  }
  if (!info.Dir) throw new Error(`lab images: go mod download ${moduleAtVersion}: ${info.Error ?? "no Dir"}`);
  goModuleDirs.set(moduleAtVersion, info.Dir);
  return info.Dir;
}

/** Writes one context file; throws naming the image and the missing source. */
function materialize(image: string, file: ContextFile, contextDir: string, cache: string): void {
  const target = path.join(contextDir, file.path);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const { source } = file;
  const copyFrom = (from: string, what: string) => {
    if (!fs.existsSync(from))
      throw new Error(`lab image ${image}: ${what} is missing (${from}): run \`npm run fetch-tools\``);
    if (fs.statSync(from).isDirectory()) {
      fs.mkdirSync(target, { recursive: true });
      execFileSync("cp", ["-a", `${from}/.`, target]);
    } else fs.copyFileSync(from, target);
  };
  switch (source.kind) {
    case "tool":
      copyFrom(toolPath(source.binary as BinaryName, cache), `tool binary ${source.binary}`);
      break;
    case "toolRoot":
      copyFrom(path.join(toolRoot(ownerOf(source.binary), cache), source.path), `${source.binary}'s ${source.path}`);
      break;
    case "module":
      copyFrom(path.join(goModuleDir(source.module), source.path), `${source.module} ${source.path}`);
      break;
    case "text":
      fs.writeFileSync(target, source.text);
      break;
    case "host":
      copyFrom(source.path, `the machine's ${source.path}`);
      break;
  }
  if (file.mode !== undefined) fs.chmodSync(target, file.mode);
}

/** A hash of every file of a folder (path, mode, content, link target), in a stable order. */
function treeHash(dir: string): string {
  const hash = createHash("sha256");
  const walk = (relative: string) => {
    const full = path.join(dir, relative);
    const stat = fs.lstatSync(full);
    hash.update(`${relative}\0${stat.mode}\0`);
    if (stat.isSymbolicLink()) hash.update(fs.readlinkSync(full));
    else if (stat.isDirectory()) for (const entry of fs.readdirSync(full).sort()) walk(path.join(relative, entry));
    else hash.update(fs.readFileSync(full));
  };
  walk(".");
  return hash.digest("hex").slice(0, 16);
}

async function imageExists(engine: DockerCli, reference: string): Promise<boolean> {
  return engine.docker(["image", "inspect", "--format", "{{.Id}}", reference]).then(
    () => true,
    () => false,
  );
}

/** The `debian` base: a debootstrap root, made once per machine (`<cache>/lab-images/`), then `docker import`ed. */
async function importDebianBase(engine: DockerCli, reference: string, cache: string, log: (l: string) => void) {
  const dir = path.join(cache, "lab-images");
  const archive = path.join(dir, `debian-${DEBIAN_BASE.suite}-minbase-${DEBIAN_BASE.packages.join("_")}.tar`);
  if (!fs.existsSync(archive)) {
    fs.mkdirSync(dir, { recursive: true });
    const root = fs.mkdtempSync(path.join(dir, "debootstrap-"));
    try {
      log(`debian base: debootstrap ${DEBIAN_BASE.suite} (minbase + ${DEBIAN_BASE.packages.join(", ")})`);
      execFileSync(
        "debootstrap",
        ["--variant=minbase", `--include=${DEBIAN_BASE.packages.join(",")}`, DEBIAN_BASE.suite, root, debianMirror()],
        { stdio: ["ignore", "ignore", "pipe"], timeout: 900_000 },
      );
      // As debian:*-slim: no package lists or caches in the image.
      for (const leftover of ["var/lib/apt/lists", "var/cache/apt/archives"])
        execFileSync("find", [path.join(root, leftover), "-type", "f", "-delete"]);
      execFileSync("tar", ["-C", root, "--numeric-owner", "-cf", `${archive}.partial-${process.pid}`, "."]);
      fs.renameSync(`${archive}.partial-${process.pid}`, archive);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  log(`debian base: docker import ${reference}`);
  await engine.docker(["import", "--change", 'CMD ["bash"]', archive, reference], { timeoutMs: 600_000 });
}

/** The machine's Debian mirror (its deb822 sources), for debootstrap. */
function debianMirror(): string {
  try {
    const text = fs.readFileSync("/etc/apt/sources.list.d/debian.sources", "utf8");
    const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1];
    if (uri) return uri;
  } catch {
    // No deb822 file: the default mirror.
  }
  return "http://deb.debian.org/debian";
}

/** Builds `spec` with `files` as `reference` (or loads the cache's archive of the same inputs). */
async function buildOne(
  engine: DockerCli,
  name: string,
  reference: string,
  files: readonly ContextFile[],
  dockerfile: DockerfileSpec,
  cache: string,
  log: (line: string) => void,
  beforeBuild: () => Promise<void> = async () => undefined,
): Promise<boolean> {
  const archives = path.join(cache, "lab-images");
  fs.mkdirSync(archives, { recursive: true });
  const contextDir = fs.mkdtempSync(path.join(os.tmpdir(), `lab-image-${name}-`));
  try {
    for (const file of files) materialize(name, file, contextDir, cache);
    fs.writeFileSync(path.join(contextDir, "Dockerfile"), renderDockerfile(dockerfile));
    const key = treeHash(contextDir);
    const archive = path.join(archives, `${reference.replace(/[/:]/g, "_")}-${key}.tar`);
    if (fs.existsSync(archive)) {
      log(`${name}: docker load ${path.basename(archive)}`);
      await engine.docker(["load", "-i", archive], { timeoutMs: 600_000 });
      if (await imageExists(engine, reference)) return false;
    }
    await beforeBuild();
    log(`${name}: docker build -t ${reference}`);
    await engine.docker(["build", "--network", "none", "-t", reference, contextDir], { timeoutMs: 900_000 });
    await engine.docker(["save", "-o", `${archive}.partial-${process.pid}`, reference], { timeoutMs: 600_000 });
    fs.renameSync(`${archive}.partial-${process.pid}`, archive);
    // Only the newest build of a reference is kept: an older binary's archive would never be loaded again.
    const stem = `${reference.replace(/[/:]/g, "_")}-`;
    for (const old of fs.readdirSync(archives))
      if (old.startsWith(stem) && old.endsWith(".tar") && old !== path.basename(archive))
        fs.rmSync(path.join(archives, old), { force: true });
    return true;
  } finally {
    fs.rmSync(contextDir, { recursive: true, force: true });
  }
}

/**
 * Builds (or imports) one of the lab's bases into `engine` unless it is there, and returns its reference. The
 * `prometheus-busybox` base is also the smallest image with a shell the tests can run (`sh`, `wget`, `httpd`).
 */
export async function buildBaseImage(
  engine: DockerCli,
  base: BaseName,
  options: Pick<BuildOptions, "prefix" | "cache" | "log"> = {},
): Promise<string> {
  const prefix = options.prefix ?? LAB_IMAGE_PREFIX;
  const cache = options.cache ?? toolCacheDir();
  const log = options.log ?? (() => undefined);
  const reference = baseReference(prefix, base);
  if (await imageExists(engine, reference)) return reference;
  if (base === "debian") await importDebianBase(engine, reference, cache, log);
  else {
    const spec = BUSYBOX_BASES.find((b) => b.name === base);
    if (!spec) throw new Error(`lab images: unknown base ${base}`);
    await buildOne(
      engine,
      base,
      reference,
      spec.files,
      { name: base, from: "scratch", ...spec.dockerfile },
      cache,
      log,
    );
  }
  return reference;
}

/**
 * Builds (or loads) the lab's images into `engine` and returns their references and sizes. Throws, naming the
 * image and what is missing, when a binary is not in the tool cache.
 */
export async function buildLabImages(engine: DockerCli, options: BuildOptions = {}): Promise<BuiltImage[]> {
  const prefix = options.prefix ?? LAB_IMAGE_PREFIX;
  if (!/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/.test(prefix))
    throw new Error(`lab images: prefix ${JSON.stringify(prefix)} must be a lower-case repository path`);
  const log = options.log ?? (() => undefined);
  const cache = options.cache ?? toolCacheDir();
  const all = labImages(labImageInputs(cache));
  const unknown = (options.only ?? []).filter((name) => !all.some((image) => image.name === name));
  if (unknown.length > 0)
    throw new Error(`lab images: unknown ${unknown.join(", ")} (images: ${all.map((i) => i.name).join(", ")})`);
  const images = all.filter((image) => !options.only || options.only.includes(image.name));
  const basesReady = new Set<BaseName>();
  const ensureBase = async (base: BaseName) => {
    if (basesReady.has(base)) return;
    await buildBaseImage(engine, base, { prefix, cache, log });
    basesReady.add(base);
  };
  const built: BuiltImage[] = [];
  for (const image of images) {
    const started = Date.now();
    const reference = labImageReference(prefix, image);
    const dockerfile: DockerfileSpec = {
      name: image.name,
      from: image.base === "scratch" ? "scratch" : baseReference(prefix, image.base),
      ...image.dockerfile,
    };
    // A base is needed only to build: a cached archive carries its layers, so the base is made only then.
    const base = image.base;
    const wasBuilt = await buildOne(engine, image.name, reference, image.files, dockerfile, cache, log, () =>
      base === "scratch" ? Promise.resolve() : ensureBase(base),
    );
    const size = Number((await engine.docker(["image", "inspect", "--format", "{{.Size}}", reference])).trim());
    built.push({
      name: image.name,
      reference,
      sizeBytes: size,
      built: wasBuilt,
      seconds: (Date.now() - started) / 1000,
      image,
    });
    log(
      `${image.name}: ${reference} ${(size / 1024 ** 2).toFixed(1)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return built;
}

/** The settings' image override (`docker.images`) that points a stack at the lab's images. */
export function labImageOverrides(prefix = LAB_IMAGE_PREFIX, cache = toolCacheDir()): Record<string, string> {
  return Object.fromEntries(
    labImages(labImageInputs(cache))
      .filter((image) => image.name !== "appTraefik")
      .map((image) => [image.name, labImageReference(prefix, image)]),
  );
}
