/**
 * How a fetched or built tool enters the shared cache. The cache is shared by every clone and worktree on the
 * machine, so two `npm run fetch-tools` at once must never see (or delete) each other's half-made tree: each works
 * in `<final>.partial-<pid>` and renames it into place when complete (a `version` file marks a complete folder).
 * The one that renames second finds the folder there and keeps it.
 */
import * as fs from "fs";
import * as path from "path";

/** The version a complete cache folder holds, or undefined when it is absent or incomplete. */
export function publishedVersion(finalDir: string): string | undefined {
  const file = path.join(finalDir, "version");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : undefined;
}

/** Whether a process of that id runs (signal 0 checks without sending anything; EPERM means it runs as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A private, empty working folder beside `finalDir`, for this process only. What an interrupted run left beside
 * it (a `.partial-<pid>` of a process that no longer runs: a failed Prometheus build keeps its UI's node_modules,
 * hundreds of MB) is removed first; another running process's folder is left alone.
 */
export function partialDir(finalDir: string): string {
  const parent = path.dirname(finalDir);
  const prefix = `${path.basename(finalDir)}.partial-`;
  if (fs.existsSync(parent))
    for (const entry of fs.readdirSync(parent)) {
      const pid = entry.startsWith(prefix) ? Number(entry.slice(prefix.length)) : NaN;
      if (Number.isInteger(pid) && pid !== process.pid && !processRuns(pid))
        fs.rmSync(path.join(parent, entry), { recursive: true, force: true });
    }
  const dir = `${finalDir}.partial-${process.pid}`;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes `version` into `dir` and renames it to `finalDir`; returns the version the cache now holds. */
export function publishDir(dir: string, finalDir: string, version: string): string {
  fs.writeFileSync(path.join(dir, "version"), `${version}\n`);
  // A folder without a version file is what an older, interrupted run left: replaced.
  if (fs.existsSync(finalDir) && publishedVersion(finalDir) === undefined)
    fs.rmSync(finalDir, { recursive: true, force: true });
  try {
    fs.renameSync(dir, finalDir);
  } catch (error) {
    const theirs = publishedVersion(finalDir);
    if (theirs === undefined) throw error;
    fs.rmSync(dir, { recursive: true, force: true });
    return theirs;
  }
  return version;
}
