/**
 * The deploy rehearsal for prod and staging (docs/developer/rehearsal.md): every host-side command of the program run for
 * real over SSH on a systemd host booted in namespaces, three phases. Asserts the closing line, the exact list of
 * commands that need a Docker engine, and the failures: today the ones listed in OPEN_DEFECTS, each a defect the
 * rehearsal found that is not fixed yet. A new failure, or a fixed one still listed, fails the test.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RehearsalReport } from "../../rehearsal/main";
import { describeWithTools } from "../helpers/tools";

const NEED_DOCKER = [
  "koprogo-alertmanager-data-owner",
  "koprogo-alertmanager-reload",
  "koprogo-alloy-data-owner",
  "koprogo-alloy-reload",
  "koprogo-blackbox-restart",
  "koprogo-grafana-admin-password-rotate",
  // Sets a kept database's admin password in a one-shot container of Grafana's image, before Grafana starts.
  "koprogo-grafana-admin-password-sync",
  "koprogo-grafana-ready",
  // Connects the application's Traefik to the Traefik↔Grafana network (`docker network connect`).
  "koprogo-grafana-traefik-joins",
  // Finds the application's network from the backend container (`docker inspect`) before anything joins it.
  "koprogo-host-app-network-check",
  // Looks for KoproGo's own monitoring stack (docker ps, docker volume ls) before the engine's provider is used.
  "koprogo-host-old-monitoring-preflight",
  "koprogo-loki-data-owner",
  "koprogo-loki-restart",
  "koprogo-node-exporter-restart",
  "koprogo-postgres-exporter-restart",
  "koprogo-prometheus-data-owner",
  "koprogo-prometheus-reload",
  // Finds the application network's bridge with `docker network inspect` (security.suricata.appBridge: auto).
  "koprogo-security-suricata-apply",
];

/** Commands that download from a vendor (CrowdSec's hub, Suricata's rule sources): unreachable here, not run. */
const NEED_INTERNET = ["koprogo-security-crowdsec-fetch", "koprogo-security-suricata-fetch"];

/** Commands that fail here only because a command they depend on could not run (`<phase>: <name>`). */
const BLOCKED: string[] = [];

/**
 * Failures the rehearsal finds today, `<phase>: <command or check>` → why. Remove an entry when its defect is fixed.
 */
const OPEN_DEFECTS: Record<string, string> = {};

function failures(report: RehearsalReport): string[] {
  const commands = report.failed.map((f) => `${f.phase}: ${f.name}`);
  const checks = report.checkProblems.map((c) => {
    if (c.problem.startsWith("crowdsec-firewall-bouncer: is-active"))
      return `${c.phase}: check crowdsec-firewall-bouncer active`;
    return `${c.phase}: check ${c.problem}`;
  });
  return [...new Set([...commands, ...checks])].sort();
}

describeWithTools(
  "deploy rehearsal",
  ["unshare", "nsenter", "/usr/sbin/sshd", "ssh", "ssh-keygen", "sudo", "ip", "iptables"],
  () => {
    it.each(["prod", "staging"])(
      "rehearses %s: three phases over SSH, the Docker and internet commands listed, only the open defects failing",
      (stack) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kreh-report-"));
        try {
          const reportFile = path.join(dir, "report.json");
          const run = spawnSync(
            process.execPath,
            [
              require.resolve("ts-node/dist/bin"),
              "--transpile-only",
              "rehearsal/main.ts",
              "--stack",
              stack,
              "--report",
              reportFile,
            ],
            {
              cwd: path.resolve(__dirname, "../.."),
              encoding: "utf8",
              // Under load (other suites on both cores) one stack has taken 9.5 minutes.
              timeout: 840_000,
            },
          );
          const output = `${run.stdout}${run.stderr}`;
          // Killed by the timeout, the rehearsal prints no closing line: say so rather than show its last step.
          expect({ killedBy: run.signal, error: run.error?.message }).toEqual({ killedBy: null, error: undefined });
          const closing = run.stdout.trim().split("\n").pop() ?? "";
          expect(closing).toMatch(
            new RegExp(
              `^rehearsal ${stack}: \\d+ commands run in 3 phases, ${NEED_DOCKER.length} need a Docker engine \\(listed\\), \\d+ failed$`,
            ),
          );
          const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as RehearsalReport;
          expect(report.needDocker).toEqual(NEED_DOCKER);
          for (const name of NEED_DOCKER) expect(output).toContain(`needs a Docker engine: ${name}`);
          expect(report.commandsRun).toBeGreaterThan(50);
          expect(report.needInternet).toEqual(NEED_INTERNET);
          // A command listed here that is not expected shows why it failed (its exit code and the end of its
          // standard error), so a CI log alone says what to fix.
          const why = (name: string, code: number, stderr: string): string =>
            `${name} → exit ${code}: ${stderr.split("\n").slice(-3).join(" / ")}`;
          const unexpectedBlocked = report.blocked.filter((b) => !BLOCKED.includes(`${b.phase}: ${b.name}`));
          expect(
            unexpectedBlocked.map((b) => why(`${b.phase}: ${b.name} (after ${b.by.join(", ")})`, b.code, b.stderr)),
          ).toEqual([]);
          expect(report.blocked.map((b) => `${b.phase}: ${b.name}`)).toEqual(BLOCKED);
          const unexpectedFailed = report.failed.filter((f) => !(`${f.phase}: ${f.name}` in OPEN_DEFECTS));
          expect(unexpectedFailed.map((f) => why(`${f.phase}: ${f.name}`, f.code, f.stderr))).toEqual([]);
          expect(failures(report)).toEqual(Object.keys(OPEN_DEFECTS).sort());
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
      900_000,
    );
  },
);
