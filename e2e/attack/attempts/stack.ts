/** The stack as a whole: secret files between its containers, and the dead man's switch. */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { harnessCall, nameOf, renderedYaml, type AttackContext } from "../context";
import { containerUser, declaredFileWrites } from "../declared";
import { notOk, ok, type Attempt, type AttemptResult } from "./types";

const run = promisify(execFile);

/**
 * The secret files as the lab holds them (the rendered files, with the owners and modes of the program's write
 * commands), each read for real, with `setpriv`, as every container that mounts it: only its owner may read it,
 * and no other container that sees it may run as the owner's uid (the node exporter mounts the host's `/`).
 */
async function secretUidAttempt(ctx: AttackContext): Promise<AttemptResult> {
  const root = `${ctx.lab.configRoot}/`;
  const writes = declaredFileWrites(ctx.declared).filter(
    (w) => (Number.parseInt(w.mode, 8) & 0o044) !== 0o044 && w.target.startsWith(root),
  );
  const leaks: string[] = [];
  const refusals: string[] = [];
  const ownerFails: string[] = [];
  const tried: string[] = [];
  /** Written by the program from a generated value (no rendered counterpart): checked on the others. */
  const notRendered: string[] = [];
  const readAs = (file: string, uid: number, gid: number) =>
    run("setpriv", [`--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "cat", file]).then(
      () => true,
      () => false,
    );
  for (const write of writes) {
    const relative = write.target.slice(root.length);
    const file = path.join(ctx.renderDir, relative);
    if (!fs.existsSync(file)) {
      notRendered.push(relative);
      continue;
    }
    const ownerUid = write.owner;
    tried.push(relative);
    if (!(await readAs(file, ownerUid, write.group))) ownerFails.push(`${relative} (uid ${ownerUid})`);
    // Who can see the file at all: the containers that bind-mount its directory, the config root, or the host's `/`.
    const seeing = ctx.declared.containers.filter((c) =>
      c.mounts.some(
        (m) =>
          m.kind === "bind" &&
          (m.source === "/" || write.target === m.source || write.target.startsWith(`${m.source.replace(/\/$/, "")}/`)),
      ),
    );
    const readers = seeing.filter((c) => containerUser(c)?.uid === ownerUid);
    if (readers.length > 1)
      leaks.push(
        `${relative}: its owner's uid ${ownerUid} is ${readers.map((c) => c.name).join(" and ")}, who all see it`,
      );
    for (const c of seeing.filter((c) => !readers.includes(c))) {
      const user = containerUser(c);
      if (!user) {
        leaks.push(`${relative}: ${c.name} sees it and runs as its image's default user`);
        continue;
      }
      if (await readAs(file, user.uid, user.gid))
        leaks.push(
          `${relative} (${write.mode}, uid ${ownerUid}) read by ${c.name} (uid ${user.uid}:${user.gid}), which mounts it`,
        );
      else refusals.push(c.name);
    }
  }
  return {
    succeeded: leaks.length > 0,
    detail: `${tried.length} secret files, each read as every other container that mounts it: ${leaks.length > 0 ? `read: ${leaks.join("; ")}` : `none read (${refusals.length} refusals, from ${[...new Set(refusals)].join(", ") || "nobody else mounting them"})`}${notRendered.length > 0 ? `; not rendered, so not tried: ${notRendered.join(", ")}` : ""}`,
    harness:
      tried.length > 0 && ownerFails.length === 0
        ? ok(
            `each of the ${tried.length} files is read by its owner's uid (${[...new Set(writes.map((w) => w.owner))].join(", ")}); the servers run as their containers' users on these files`,
          )
        : notOk(
            ownerFails.length > 0
              ? `owners cannot read ${ownerFails.join(", ")}`
              : "no secret file found in the program's write commands",
          ),
  };
}

export const STACK_ATTEMPTS: readonly Attempt[] = [
  {
    id: "secret-uid",
    title:
      "read another service's secret files from a container that mounts them (the node exporter mounts the host's /)",
    from: "a container of the stack",
    mode: "network",
    phase: 1,
    async run(ctx) {
      return secretUidAttempt(ctx);
    },
  },
  {
    id: "watchdog",
    title: "silence or stop the plane and nobody notices (the dead man's switch)",
    from: "the application's network",
    mode: "config",
    phase: 1,
    async run(ctx) {
      const am = renderedYaml<{
        route: { routes?: { matchers?: string[]; receiver?: string }[] };
        receivers: Record<string, unknown>[];
      }>(ctx, "alertmanager/alertmanager.yml");
      const route = am.route.routes?.find((r) => r.matchers?.some((m) => /alertname="Watchdog"/.test(m)));
      const receiver = am.receivers.find((r) => r.name === route?.receiver);
      const delivers = receiver !== undefined && Object.keys(receiver).some((k) => k.endsWith("_configs"));
      const alerts = await harnessCall(ctx, "prometheus", { path: "/api/v1/alerts" });
      const firing =
        alerts.outcome?.kind === "http" &&
        (
          JSON.parse(alerts.outcome.body) as { data: { alerts: { labels: Record<string, string>; state: string }[] } }
        ).data.alerts.some((a) => a.labels.alertname === "Watchdog" && a.state === "firing");
      return {
        succeeded: !delivers,
        detail: `Watchdog route → receiver ${route?.receiver ?? "(none)"} ${
          delivers
            ? `delivers (${Object.keys(receiver!)
                .filter((k) => k.endsWith("_configs"))
                .join(", ")})`
            : "delivers nowhere"
        }`,
        harness: firing
          ? ok(
              `the Watchdog fires in the lab's Prometheus, whose alerting points at ${nameOf(ctx, "alertmanager")} (${alerts.detail})`,
            )
          : notOk(`no firing Watchdog in Prometheus: ${alerts.detail}`),
      };
    },
  },
];
