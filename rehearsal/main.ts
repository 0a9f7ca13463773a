/**
 * `npm run rehearse -- --stack <prod|staging> [--report <file.json>]`: the deploy rehearsal (docs/developer/rehearsal.md).
 * Boots the rehearsal host, computes the program's graph for the stack (and for the changed config), runs every
 * host-side command for real over SSH in the engine's order for three phases, checks the host after each, and
 * prints one closing line. Exits 1 when a command or a check failed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadStackFile } from "../settings";
import { toolCacheDir } from "../toolchain/cache";
import { applyOverrides, committedConfig, engineConfig, randomSecret, type Override } from "./config";
import {
  checkAgentsRunning,
  checkDestroyed,
  checkMountedFiles,
  checkSecretsContained,
  checkVolumesUntouched,
  declaredAgents,
  volumePaths,
  type CheckContext,
} from "./checks";
import { generatedValue, PROJECT_DIR, programGraph, type GraphResource } from "./graph";
import { RehearsalHost, type RunResult } from "./host";
import {
  changePlan,
  commandsInOrder,
  destroyPlan,
  firstDeployPlan,
  needsDocker,
  needsInternet,
  type Phase,
  type Step,
} from "./plan";
import { candidateVersions, DEPLOY_USER, prepareHost, type PreparedHost } from "./prepare";
import { hostKeyOverride } from "./hostKey";
import { shellQuote } from "../host/scripts";

export interface RehearsalReport {
  readonly stack: string;
  commandsRun: number;
  /** Names of the commands that call `docker` (not run: no engine here), sorted. */
  readonly needDocker: string[];
  /** Names of the commands that download from a vendor beyond Debian's archive (not run: unreachable here), sorted. */
  readonly needInternet: string[];
  readonly failed: { name: string; phase: Phase; code: number; stderr: string }[];
  /**
   * Commands that failed after a command they depend on could not run here (it needs the internet): the engine
   * would not have run them either. Printed with their stderr, listed, not counted as failed.
   */
  readonly blocked: { name: string; phase: Phase; code: number; stderr: string; by: string[] }[];
  readonly checkProblems: { phase: Phase; problem: string }[];
  /** Check problems of an agent whose apply was blocked (see `blocked`): not provable here. */
  readonly notProvable: { phase: Phase; problem: string }[];
  readonly overrides: Override[];
  readonly seconds: Record<string, number>;
}

function parseArgs(argv: readonly string[]): { stack: string; report?: string } {
  const stack = argv[argv.indexOf("--stack") + 1];
  if (!argv.includes("--stack") || !stack || !["prod", "staging"].includes(stack))
    throw new Error("usage: npm run rehearse -- --stack <prod|staging> [--report <file>]");
  const report = argv.includes("--report") ? argv[argv.indexOf("--report") + 1] : undefined;
  return { stack, report };
}

/** What this machine cannot give the stack as committed, and the setting that makes it use what it has. */
function environmentOverrides(versions: Record<string, string>, prepared: PreparedHost): Override[] {
  return [
    {
      key: "security.fail2ban.version",
      value: versions.fail2ban,
      why: `the stack pins Ubuntu 22.04's fail2ban; Debian's archive here has ${versions.fail2ban}`,
    },
    {
      key: "security.crowdsec.repository",
      value: null,
      why: "CrowdSec's own apt repository (packagecloud.io) cannot be reached here: install from Debian's archive",
    },
    {
      key: "security.crowdsec.version",
      value: versions.crowdsec,
      why: `CrowdSec's repository version is not in Debian; Debian has ${versions.crowdsec}`,
    },
    {
      key: "security.crowdsec.bouncer.version",
      value: versions["crowdsec-firewall-bouncer"],
      why: `Debian's firewall bouncer is ${versions["crowdsec-firewall-bouncer"]}`,
    },
    {
      key: "security.suricata.version",
      value: versions.suricata,
      why: `the stack pins Ubuntu 22.04's Suricata; Debian 12 has ${versions.suricata} (bookworm-backports)`,
    },
    {
      key: "sshPrivateKey",
      value: prepared.clientKey,
      why: `the key generated for this run's \`${DEPLOY_USER}\` user, set as the stack's documented secret`,
    },
    ...hostKeyOverride(prepared.hostKey),
  ];
}

/** The change phase: one alert threshold, one jail, one secret, one agent version. */
function changeOverrides(versions: Record<string, string>): Override[] {
  const crowdsec = versions.crowdsec.replace(/^(\d+\.\d+\.\d+).*$/, "$1*");
  return [
    { key: "alerts.thresholds.cpuBusyRatio", value: 0.85, why: "one alert threshold (HighCpu 0.8 → 0.85)" },
    { key: "security.fail2ban.jails.sshd.maxRetry", value: 5, why: "one jail (sshd maxRetry 10 → 5)" },
    {
      key: "metricsBearerToken",
      value: randomSecret("metricsBearerToken"),
      why: "one secret (the backend's bearer token rotated)",
    },
    {
      key: "security.crowdsec.version",
      value: crowdsec,
      why: `an agent version (crowdsec ${versions.crowdsec} → ${crowdsec}: the only version in the archive, so a new pin text)`,
    },
  ];
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => (s.length >= 8 ? t.split(s).join("<secret>") : t), text);
}

async function main(): Promise<number> {
  const { stack, report: reportFile } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const seconds: Record<string, number> = {};
  const lap = (name: string, since: number): void => void (seconds[name] = Math.round((Date.now() - since) / 100) / 10);
  const archives = path.join(toolCacheDir(), "rehearsal", "apt-archives");
  const host = await RehearsalHost.boot(archives);
  lap("boot", started);
  const report: RehearsalReport = {
    stack,
    commandsRun: 0,
    needDocker: [],
    needInternet: [],
    failed: [],
    blocked: [],
    checkProblems: [],
    notProvable: [],
    overrides: [],
    seconds,
  };
  try {
    const keysDir = fs.mkdtempSync(path.join(os.tmpdir(), "kreh-keys-"));
    let prepared: PreparedHost;
    try {
      const { settings } = loadStackFile(stack, PROJECT_DIR);
      const prefix = settings.docker.monitoringSubnet.split("/")[1];
      prepared = prepareHost(host, keysDir, settings.security.logs, {
        gatewayCidr: `${settings.security.crowdsec.metrics.listenAddress}/${prefix}`,
      });
    } finally {
      fs.rmSync(keysDir, { recursive: true, force: true });
    }
    for (const s of prepared.steps) console.log(`host: ${s}`);
    const versions = candidateVersions(host, ["fail2ban", "crowdsec", "crowdsec-firewall-bouncer", "suricata"]);
    lap("prepare", started);

    const base = committedConfig(stack, PROJECT_DIR);
    const overrides = environmentOverrides(versions, prepared);
    const changes = changeOverrides(versions);
    report.overrides.push(...overrides, ...changes);
    for (const o of overrides)
      console.log(
        `override ${o.key}${o.key === "sshPrivateKey" ? " (secret)" : ` = ${JSON.stringify(o.value)}`}: ${o.why}`,
      );
    for (const o of changes) console.log(`change ${o.key}: ${o.why}`);
    const deployed = applyOverrides(base, overrides);
    const changed = applyOverrides(deployed, changes);
    const generatedSecret = randomSecret("generated");
    const graphOf = (config: typeof deployed): Promise<GraphResource[]> =>
      programGraph({ stack, ...engineConfig(config), generatedSecret });
    const t = Date.now();
    const [before, after] = await Promise.all([graphOf(deployed), graphOf(changed)]);
    lap("graphs", t);

    // The secrets given through the config, and each generated password (RandomPassword) by its resource name.
    const generated = Object.fromEntries(
      before
        .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
        .map((r) => [`generated:${r.name}`, generatedValue(generatedSecret, r.name)]),
    );
    const secretsOf = (config: typeof deployed): Record<string, string> => ({
      ...Object.fromEntries(Object.entries(config.secrets).map(([k, v]) => [k.replace(/^.*:/, ""), v])),
      ...generated,
    });
    const allSecrets = [...new Set([...Object.values(secretsOf(deployed)), ...Object.values(secretsOf(changed))])];
    const otherUsers = [{ name: DEPLOY_USER, ...deployUserIds(host) }];
    const context = (graph: readonly GraphResource[], config: typeof deployed): CheckContext => ({
      host,
      graph,
      secrets: secretsOf(config),
      otherUsers,
    });

    // Data that must outlive every phase: a marker in each named volume's data path.
    host.mustRoot(
      volumePaths(before)
        .map((p) => `install -D -m 0600 /dev/null ${shellQuote(p)} && echo kreh > ${shellQuote(p)}`)
        .join("\n") || "true",
    );

    const docker = new Set<string>();
    const skipped = new Set<string>();
    /** Agents whose apply was blocked: their running-state checks are not provable here. */
    const blockedAgents = new Set<string>();
    const graphs = [before, after];
    const runPhase = (phase: Phase, steps: readonly Step[]): void => {
      const t0 = Date.now();
      for (const step of steps) {
        if (needsDocker(step.script) || needsInternet(step.script)) {
          skipped.add(step.command.urn);
          // An agent whose apply cannot run here (it calls docker, e.g. to find the application's bridge): what
          // the apply would have made of the agent is not provable here.
          for (const agent of declaredAgents(after).map((a) => a.agent))
            if (step.command.name.endsWith(`-${agent}-apply`)) blockedAgents.add(agent);
          continue;
        }
        const t1 = Date.now();
        const result = execute(host, prepared, step);
        report.commandsRun++;
        if (Date.now() - t1 > 3000)
          console.log(
            `took ${((Date.now() - t1) / 1000).toFixed(1)}s: ${step.command.name} (${phase}, ${step.operation})`,
          );
        if (result.code !== 0) {
          const stderr = redact(result.stderr.trim(), allSecrets);
          const by = step.operation === "delete" ? [] : skippedDependencies(graphs, step.command.urn, skipped);
          if (by.length > 0) {
            report.blocked.push({ name: step.command.name, phase, code: result.code, stderr, by });
            for (const agent of declaredAgents(after).map((a) => a.agent))
              if (step.command.name.endsWith(`-${agent}-apply`)) blockedAgents.add(agent);
            console.log(
              `BLOCKED ${step.command.name} (${phase}): exit ${result.code} after ${by.join(", ")} could not run here\n  ${stderr.split("\n").join("\n  ")}`,
            );
          } else {
            report.failed.push({ name: step.command.name, phase, code: result.code, stderr });
            console.log(
              `FAILED ${step.command.name} (${phase}, ${step.operation}: ${step.reason}): exit ${result.code}\n  ${stderr.split("\n").join("\n  ")}`,
            );
          }
        }
      }
      lap(phase, t0);
    };
    const check = (phase: Phase, problems: string[]): void => {
      for (const problem of problems) {
        const agent = [...blockedAgents].find((a) => problem.startsWith(`${a}:`) || problem.startsWith(`${a}-`));
        if (agent) {
          report.notProvable.push({ phase, problem: redact(problem, allSecrets) });
          console.log(
            `NOT PROVABLE after ${phase} (${agent}'s apply could not run here): ${redact(problem, allSecrets)}`,
          );
          continue;
        }
        report.checkProblems.push({ phase, problem: redact(problem, allSecrets) });
        console.log(`CHECK FAILED after ${phase}: ${redact(problem, allSecrets)}`);
      }
    };
    const commonChecks = (c: CheckContext): string[] => [
      ...checkMountedFiles(c),
      ...checkSecretsContained(c),
      ...checkAgentsRunning(c),
      ...checkVolumesUntouched(c),
    ];

    runPhase("first deploy", firstDeployPlan(before));
    check("first deploy", commonChecks(context(before, deployed)));
    const starts = startTimes(host, before);
    runPhase("change", changePlan(before, after));
    check("change", [...commonChecks(context(after, changed)), ...checkChangeApplied(host, after, starts)]);
    runPhase("destroy", destroyPlan(after));
    check("destroy", [
      ...checkDestroyed(context(after, changed), after),
      ...checkVolumesUntouched(context(after, changed)),
    ]);

    // Every command that calls `docker` in any of its scripts, in either graph: none can run here.
    const internet = new Set<string>();
    for (const graph of [before, after]) {
      for (const c of commandsInOrder(graph)) {
        const scripts = [c.create, c.update, c.delete].filter((s): s is string => s !== undefined);
        if (scripts.some(needsDocker)) docker.add(c.name);
        else if (scripts.some(needsInternet)) internet.add(c.name);
      }
    }
    report.needDocker.push(...[...docker].sort());
    report.needInternet.push(...[...internet].sort());
    console.log(
      `proxy refused: ${host.proxy.refused.length === 0 ? "nothing" : [...new Set(host.proxy.refused)].join(", ")}`,
    );
    for (const name of report.needDocker) console.log(`needs a Docker engine: ${name}`);
    for (const name of report.needInternet) console.log(`needs the internet beyond Debian's archive: ${name}`);
    for (const b of report.blocked)
      console.log(`blocked by a command that could not run here: ${b.name} (${b.phase}, after ${b.by.join(", ")})`);
  } finally {
    await host.shutdown();
    lap("total", started);
  }
  console.log(
    `timings (s): ${Object.entries(seconds)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  if (reportFile) fs.writeFileSync(reportFile, JSON.stringify(report, null, 2));
  const failed = report.failed.length + report.checkProblems.length;
  console.log(
    `rehearsal ${stack}: ${report.needInternet.length} commands need the internet beyond Debian's archive (listed, not run)`,
  );
  console.log(
    `rehearsal ${stack}: ${report.commandsRun} commands run in 3 phases, ${report.needDocker.length} need a Docker engine (listed), ${failed} failed`,
  );
  return failed === 0 ? 0 : 1;
}

/** The commands `urn` depends on, transitively (dependencies and parents), that were skipped. */
function skippedDependencies(
  graphs: readonly (readonly GraphResource[])[],
  urn: string,
  skipped: ReadonlySet<string>,
): string[] {
  const byUrn = new Map(graphs.flat().map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const found: string[] = [];
  const visit = (u: string): void => {
    const resource = byUrn.get(u);
    if (!resource) return;
    for (const d of [...resource.dependencies, resource.parent].filter(Boolean)) {
      if (seen.has(d)) continue;
      seen.add(d);
      if (skipped.has(d)) found.push(byUrn.get(d)?.name ?? d);
      visit(d);
    }
  };
  visit(urn);
  return found;
}

function deployUserIds(host: RehearsalHost): { uid: number; gid: number } {
  const [uid, gid] = host.mustRoot(`id -u ${DEPLOY_USER}; id -g ${DEPLOY_USER}`).trim().split("\n").map(Number);
  return { uid, gid };
}

/** Runs one step the way the command provider would: remote over SSH with the connection's user, key and host key. */
function execute(host: RehearsalHost, prepared: PreparedHost, step: Step): RunResult {
  const { command } = step;
  if (command.type === "command:local:Command") return host.root(step.script, command.stdin);
  const connection = command.connection ?? {};
  const hostKey = typeof connection.hostKey === "string" ? connection.hostKey : undefined;
  const privateKey = typeof connection.privateKey === "string" ? connection.privateKey : undefined;
  if (!hostKey)
    return {
      code: 255,
      stdout: "",
      stderr:
        "the connection has no `hostKey`: the rehearsal does not send scripts and secrets to a host it cannot verify",
    };
  if (!privateKey)
    return { code: 255, stdout: "", stderr: "the connection has no `privateKey` (the rehearsal has no SSH agent)" };
  if (connection.user !== prepared.user)
    return {
      code: 255,
      stdout: "",
      stderr: `the connection's user is ${String(connection.user)}, the rehearsal host's is ${prepared.user}`,
    };
  return host.ssh(
    { user: String(connection.user), privateKey, hostKey, hostName: String(connection.host) },
    step.script,
    command.stdin,
  );
}

/** When each agent's main process started, to tell a restart after the change. */
function startTimes(host: RehearsalHost, graph: readonly GraphResource[]): Record<string, string> {
  const units = declaredAgents(graph).flatMap((a) => a.units);
  return Object.fromEntries(
    units.map((u) => [u, host.root(`systemctl show -p ExecMainStartTimestampMonotonic --value ${u}`).stdout.trim()]),
  );
}

/** After the change: the new jail limit is live in fail2ban, and CrowdSec (new version pin) was restarted. */
function checkChangeApplied(
  host: RehearsalHost,
  graph: readonly GraphResource[],
  before: Record<string, string>,
): string[] {
  const problems: string[] = [];
  const agents = declaredAgents(graph).map((a) => a.agent);
  if (agents.includes("fail2ban")) {
    const maxRetry = host.root("fail2ban-client get sshd maxretry").stdout.trim();
    if (maxRetry !== "5")
      problems.push(
        `fail2ban's sshd jail has maxretry ${maxRetry || "(no answer)"}, not the changed 5: fail2ban was not reloaded`,
      );
  }
  if (agents.includes("crowdsec")) {
    const now = host.root("systemctl show -p ExecMainStartTimestampMonotonic --value crowdsec").stdout.trim();
    if (now === before.crowdsec) problems.push("crowdsec was not restarted after its version pin changed");
  }
  return problems;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    console.log("rehearsal: did not complete");
    process.exit(1);
  },
);
