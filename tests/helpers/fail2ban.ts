/**
 * fail2ban at each version the jails must work on, run for real: the deployed 0.11.2 and the newest 1.1 from the
 * tool cache (`npm run fetch-tools`, toolchain/versions.ts), and the system's 1.0.2 (Debian 12, like Ubuntu
 * 24.04's). fail2ban is Python: the cached packages are run as `<python> <root>/usr/bin/fail2ban-*` with
 * `PYTHONPATH` into the unpacked tree, so the system's own fail2ban module is never imported by them; each
 * version's packaged `/etc/fail2ban` is the base the rendered overlay goes on (what the host ends up with).
 *
 * 0.11.2 runs on the Python 3.9 of its own suite (unpacked beside it): it imports `collections.MutableMapping`,
 * which Python 3.10 removed (Ubuntu 22.04's 0.11.2-6 carries upstream's compatibility fix for its Python 3.10).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { toolRoot, fetchedVersion } from "../../toolchain/cache";
import { sourceLabel } from "../../toolchain/sources";
import { TOOL_VERSIONS } from "../../toolchain/versions";
import { placeholderSecrets, type Settings } from "../../settings";
import { renderSecurityFiles } from "../../security/files";
import { run } from "./tools";

export type Fail2banScript = "fail2ban-client" | "fail2ban-regex" | "fail2ban-server";

export interface Fail2banVersion {
  /** `0.11.2 (deployed)`, ... for test titles. */
  readonly label: string;
  /** Files the tests need: under CI a missing one fails the test (describeWithTools). */
  readonly requires: readonly string[];
  /** The version's packaged `/etc/fail2ban`. */
  readonly packagedConfig: string;
  /** The Python interpreter it runs on, and the environment that makes it import this version's fail2ban. */
  readonly python: string;
  readonly env: NodeJS.ProcessEnv;
  /** The command line that runs one of its scripts. */
  command(script: Fail2banScript, args: readonly string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv };
}

const SYSTEM_PYTHON = "/usr/bin/python3";

function cached(tool: "fail2ban" | "fail2banNewest", python: (root: string) => string, role: string): Fail2banVersion {
  const root = toolRoot(tool);
  const interpreter = python(root);
  const dist = path.join(root, "usr/lib/python3/dist-packages");
  const script = (name: Fail2banScript) => path.join(root, "usr/bin", name);
  const env = { ...process.env, PYTHONPATH: dist };
  return {
    python: interpreter,
    env,
    label: `${fetchedVersion(tool) ?? `${sourceLabel(TOOL_VERSIONS[tool].fetch)} (not fetched: npm run fetch-tools)`} (${role})`,
    requires: [interpreter, script("fail2ban-client"), script("fail2ban-regex"), script("fail2ban-server")],
    packagedConfig: path.join(root, "etc/fail2ban"),
    // -s: no user site-packages; PYTHONPATH first: this version's fail2ban, never the system's.
    command: (name, args) => ({ command: interpreter, args: ["-s", script(name), ...args], env }),
  };
}

/** The deployed version (`security.fail2ban.version`'s default, Ubuntu 22.04's 0.11.2). */
export const DEPLOYED_FAIL2BAN = cached("fail2ban", (root) => path.join(root, "usr/bin/python3.9"), "deployed");

/** The newest release line (Debian 13's 1.1). */
export const NEWEST_FAIL2BAN = cached("fail2banNewest", () => SYSTEM_PYTHON, "newest");

/** Every version the jails must work on: the deployed one first. */
export const FAIL2BAN_VERSIONS: readonly Fail2banVersion[] = [
  DEPLOYED_FAIL2BAN,
  {
    label: "1.0.2 (system, Debian 12)",
    requires: [SYSTEM_PYTHON, "/usr/bin/fail2ban-client", "/usr/bin/fail2ban-regex", "/usr/bin/fail2ban-server"],
    packagedConfig: "/etc/fail2ban",
    python: SYSTEM_PYTHON,
    env: process.env,
    command: (name, args) => ({ command: SYSTEM_PYTHON, args: ["-s", `/usr/bin/${name}`, ...args], env: process.env }),
  },
  NEWEST_FAIL2BAN,
];

/** Runs one of a version's scripts; returns status and combined output. */
export function runFail2ban(
  version: Fail2banVersion,
  script: Fail2banScript,
  args: readonly string[],
): { status: number; output: string } {
  const { command, args: full, env } = version.command(script, args);
  return run(command, full, { env });
}

/** `<dir>`: the version's packaged /etc/fail2ban with the rendered overlay on top, as on the host. */
export function fail2banConfigDir(version: Fail2banVersion, dir: string, settings: Settings): string {
  fs.cpSync(version.packagedConfig, dir, { recursive: true });
  for (const file of renderSecurityFiles(settings, placeholderSecrets()).filter((f) =>
    f.path.startsWith("fail2ban/"),
  )) {
    const target = path.join(dir, file.path.slice("fail2ban/".length));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
  }
  return dir;
}

/** The `['multi-set', <jail>, 'action', <action>, [[key, value], ...]]` lines of `fail2ban-client -d`, parsed. */
export function dumpedActions(dump: string): { jail: string; action: string; options: Map<string, string> }[] {
  return dump
    .split("\n")
    .filter((line) => line.startsWith("['multi-set', ") && line.includes("', 'action', '"))
    .map((line) => {
      const head = /^\['multi-set', '([^']+)', 'action', '([^']+)', /.exec(line);
      if (!head) throw new Error(`unreadable dump line ${line}`);
      // Python reprs of [key, value] string pairs: 'x' or "x" (when the value holds a '), backslash escapes.
      const pairs = [
        ...line
          .slice(head[0].length)
          .matchAll(/\[('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"), ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\]/g),
      ];
      const unrepr = (s: string) =>
        s
          .slice(1, -1)
          .replace(/\\(n|t|'|"|\\)/g, (_m, c: string) => ({ n: "\n", t: "\t", "'": "'", '"': '"', "\\": "\\" })[c]!);
      return { jail: head[1], action: head[2], options: new Map(pairs.map((p) => [unrepr(p[1]), unrepr(p[2])])) };
    });
}

/**
 * An action command with its `<tags>` replaced, the way fail2ban's own `CommandAction.replaceTag` does it
 * (`<name>` from the action's options, `<name?family=inet6>` variants for IPv6), for one banned address.
 * It is run by the version under test (`python -c`), so the resolution is that version's.
 */
export function resolveCommand(
  version: Fail2banVersion,
  options: Map<string, string>,
  command: string,
  ip: string,
  family: "inet4" | "inet6",
): string {
  const program = [
    "import json, sys",
    "from fail2ban.server.action import CommandAction",
    "opts, cmd, ip, family = json.loads(sys.stdin.read())",
    "opts['ip'] = ip",
    "opts['family'] = family",
    "print(CommandAction.replaceTag(cmd, opts, conditional='family=' + family))",
  ].join("\n");
  const result = spawnSync(version.python, ["-s", "-c", program], {
    env: version.env,
    input: JSON.stringify([Object.fromEntries(options), command, ip, family]),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`replaceTag failed under ${version.label}: ${result.stderr}`);
  return result.stdout.trimEnd();
}
