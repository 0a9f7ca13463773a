/**
 * `npm run ci:fresh-root [-- --cold] [--keep]`: runs `.ci/run` on a clone of this repository's committed HEAD in a
 * fresh Debian 12 root, so that nothing a session left on this machine (a system package, a file under /usr/share,
 * a global npm module) can make CI pass. The plan is pure (toolchain/freshRootPlan.ts); this file builds the base
 * once per machine and runs the plan.
 *
 * - The base is `debootstrap --variant=minbase` of bookworm from the machine's own archive (read from
 *   /etc/apt/sources.list.d/*.sources, so no host is written here), cached beside the tool cache and reused.
 * - Each run mounts an overlay (that base below, a folder of the run's above) in a private mount and PID namespace,
 *   copies in what a new machine of this kind has outside Debian (Node.js 20 + npm, Go, the Docker CLI), clones
 *   the repository, lays `shared/` beside it read-only, and runs `bash .ci/run` under `chroot` with CI=true, no
 *   standard input and a plain environment. Leaving the namespace kills every process the run left and drops
 *   every mount; the run folder is then removed (`--keep` keeps it for a look).
 * - The per-machine tool cache is bound in (the guide's "cache what you build per machine"); `--cold` leaves it
 *   out, so every tool is built from the registries, as on a new machine's first CI run.
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { toolCacheDir } from "./cache";
import { parseDeb822 } from "./fetch";
import {
  ciCounts,
  debootstrapArgs,
  freshRootScript,
  ciEnvironment,
  MACHINE_CONFIG_PATHS,
  MACHINE_IMAGE_DEB,
  MACHINE_IMAGE_PATHS,
  FRESH_ROOT_PACKAGES,
} from "./freshRootPlan";

const repoRoot = path.resolve(__dirname, "..");

/** The machine's main Debian archive and its keyring, from its deb822 sources (the stanza of `bookworm`). */
function machineArchive(): { mirror: string; keyring: string | undefined } {
  const dir = "/etc/apt/sources.list.d";
  const stanzas = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sources"))
    .flatMap((f) => parseDeb822(fs.readFileSync(path.join(dir, f), "utf8")));
  const main = stanzas.find((s) => (s.suites ?? "").split(/\s+/).includes("bookworm"));
  const mirror = main?.uris?.split(/\s+/)[0];
  if (!main || !mirror)
    throw new Error(`no stanza for bookworm with URIs in ${dir}/*.sources: the base root comes from that archive`);
  return { mirror, keyring: main["signed-by"] };
}

/** The debootstrapped base, built once per machine (and again when the package list changes). */
function ensureBase(cacheRoot: string): string {
  const tag = FRESH_ROOT_PACKAGES.join(",");
  const base = path.join(cacheRoot, "fresh-root", "bookworm");
  const stamp = path.join(base, ".koprogo-packages");
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === tag) return base;
  const partial = `${base}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(base), { recursive: true });
  const { mirror, keyring } = machineArchive();
  console.log(`ci:fresh-root: building the Debian 12 base (debootstrap minbase) in ${base}`);
  execFileSync("debootstrap", debootstrapArgs(partial, mirror, keyring), { stdio: ["ignore", "ignore", "inherit"] });
  fs.writeFileSync(path.join(partial, ".koprogo-packages"), tag);
  fs.rmSync(base, { recursive: true, force: true });
  fs.renameSync(partial, base);
  return base;
}

/** Node.js's files as its package installed them, plus the other machine-image paths that exist here. */
function machineImageFiles(): string[] {
  const nodeFiles = execFileSync("dpkg", ["-L", MACHINE_IMAGE_DEB], { encoding: "utf8" })
    .split("\n")
    .filter((file) => file !== "" && !fs.statSync(file, { throwIfNoEntry: false })?.isDirectory())
    .filter((file) => !MACHINE_IMAGE_PATHS.some((own) => file === own || file.startsWith(`${own}/`)));
  const missing = MACHINE_IMAGE_PATHS.filter((p) => !fs.existsSync(p));
  if (missing.length > 0) throw new Error(`this machine lacks ${missing.join(", ")}, which every new machine has`);
  return [
    ...nodeFiles.filter((file) => fs.existsSync(file)),
    ...MACHINE_IMAGE_PATHS,
    ...MACHINE_CONFIG_PATHS.filter((file) => fs.existsSync(file)),
  ];
}

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== "--cold" && a !== "--keep");
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(" ")} (options: --cold, --keep)`);
  if (process.getuid?.() !== 0) throw new Error("needs root (mounts, chroot): run it as root, as CI does");
  for (const tool of ["debootstrap", "unshare", "chroot"])
    if (!fs.existsSync(`/usr/sbin/${tool}`) && !fs.existsSync(`/usr/bin/${tool}`))
      throw new Error(`${tool} is missing: apt-get install debootstrap util-linux coreutils`);
  const cold = argv.includes("--cold");
  const toolCache = toolCacheDir();
  const cacheRoot = path.dirname(toolCache);
  const base = ensureBase(cacheRoot);
  const runDir = fs.mkdtempSync(path.join("/var/tmp", "koprogo-fresh-root-"));
  const shared = path.resolve(repoRoot, "..", "shared");
  const script = freshRootScript({
    base,
    runDir,
    repo: repoRoot,
    shared: fs.existsSync(shared) ? shared : undefined,
    toolCache: cold ? undefined : toolCache,
    machineImageFiles: machineImageFiles(),
    environment: ciEnvironment(process.env),
  });
  const log = path.join(runDir, "ci.log");
  console.log(`ci:fresh-root: ${cold ? "cold (no tool cache)" : "tool cache bound"}; log in ${log}`);
  const started = Date.now();
  const child = spawn("unshare", ["--mount", "--pid", "--fork", "--mount-proc", "--propagation", "private", "sh"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out = fs.createWriteStream(log);
  let output = "";
  for (const stream of [child.stdout, child.stderr])
    stream.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      out.write(chunk);
      process.stdout.write(chunk);
    });
  child.stdin.end(script);
  const status = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  out.end();
  const seconds = Math.round((Date.now() - started) / 1000);
  const counts = ciCounts(output);
  console.log(
    `ci:fresh-root: .ci/run exited ${status} in ${seconds} s` +
      (counts ? `: ${counts.passed} passed, ${counts.failed} failed` : ": it printed no `N passed, N failed` line"),
  );
  if (argv.includes("--keep")) console.log(`ci:fresh-root: kept ${runDir}`);
  else {
    fs.copyFileSync(log, `${runDir}.log`);
    fs.rmSync(runDir, { recursive: true, force: true });
    console.log(`ci:fresh-root: the log is in ${runDir}.log`);
  }
  return status;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error: unknown) => {
      console.error(`ci:fresh-root: ${(error as Error).message}`);
      process.exit(2);
    },
  );
}
