/**
 * The real crowdsec (Debian's 1.4.6) on a copy of /etc/crowdsec in a test directory, with the rendered overlay
 * on top, and a replay of a log file through its parsers and scenarios ("time machine" mode: `crowdsec -dsn
 * file://… -type … -dump-data <dir>`).
 *
 * Behaviour relied on (crowdsec 1.4.6): `-no-api` does not stop the agent from logging in to a local API before
 * it writes its dumps, so the replay runs the local API too, on a free loopback port, with a machine added by
 * `cscli machines add` to the test's own database. `parser-dump.yaml` holds every event per stage and parser
 * (`success`, `evt.Meta`, `evt.Whitelisted`); `bucketpour-dump.yaml` the events poured into each scenario.
 * Hub items are installed as `cscli … install` does it: a symlink in the stage directory to the hub file (here
 * the package's own hub snapshot, so the test does not depend on the network).
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { toYaml } from "../../render/yaml";
import { renderSecurityFiles } from "../../security/files";
import { placeholderSecrets, type Settings } from "../../settings";
import { run } from "./tools";

export const CROWDSEC_HUB = "/usr/share/crowdsec/hub";

/** A copy of /etc/crowdsec in `dir` whose config.yaml points at `dir`, with the rendered overlay on top. */
export function crowdsecConfigDir(dir: string, settings: Settings): string {
  fs.cpSync("/etc/crowdsec", dir, { recursive: true });
  const config = YAML.parse(fs.readFileSync(path.join(dir, "config.yaml"), "utf8"));
  config.config_paths.config_dir = `${dir}/`;
  config.crowdsec_service.acquisition_path = path.join(dir, "acquis.yaml");
  config.crowdsec_service.acquisition_dir = path.join(dir, "acquis.d");
  config.api.server.profiles_path = path.join(dir, "profiles.yaml");
  config.common.log_media = "stdout";
  fs.writeFileSync(path.join(dir, "config.yaml"), toYaml(config));
  for (const file of renderSecurityFiles(settings, placeholderSecrets()).filter((f) =>
    f.path.startsWith("crowdsec/"),
  )) {
    const target = path.join(dir, file.path.slice("crowdsec/".length));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
  }
  return path.join(dir, "config.yaml");
}

export interface Replay {
  /** Source addresses of the events poured into each scenario, in order. */
  readonly poured: Record<string, string[]>;
  /** Source addresses that parser `name` set on the events it parsed (whatever happened to them later). */
  parsed(name: string): string[];
  /** Source addresses of the events that parser `name` (a whitelist) dropped. */
  whitelistedBy(name: string): string[];
}

interface DumpedEvent {
  readonly success?: boolean;
  readonly evt: { readonly Whitelisted?: boolean; readonly Meta?: Record<string, string> };
}

/**
 * A crowdsec config in `dir` with the overlay, only the given hub items installed (`parsers/s01-parse/crowdsecurity/x.yaml`,
 * `scenarios/crowdsecurity/y.yaml`, relative to the hub), and its local API on `port`.
 */
export function crowdsecReplayer(
  dir: string,
  settings: Settings,
  hubItems: readonly string[],
  port: number,
): (log: string, type: string) => Replay {
  const etc = path.join(dir, "etc");
  const data = path.join(dir, "data");
  const config = crowdsecConfigDir(etc, settings);
  fs.mkdirSync(data, { recursive: true });
  // Only what the test installs: the package's default links are removed (their hub may differ).
  for (const stage of [
    "parsers/s00-raw",
    "parsers/s01-parse",
    "parsers/s02-enrich",
    "scenarios",
    "postoverflows/s01-whitelist",
  ]) {
    const stageDir = path.join(etc, stage);
    if (!fs.existsSync(stageDir)) continue;
    for (const entry of fs.readdirSync(stageDir))
      if (fs.lstatSync(path.join(stageDir, entry)).isSymbolicLink()) fs.rmSync(path.join(stageDir, entry));
  }
  for (const item of [
    ...hubItems,
    "parsers/s00-raw/crowdsecurity/syslog-logs.yaml",
    "parsers/s02-enrich/crowdsecurity/dateparse-enrich.yaml",
  ]) {
    const [kind, stage] = item.split("/");
    const target = kind === "parsers" ? path.join(etc, kind, stage) : path.join(etc, kind);
    fs.mkdirSync(target, { recursive: true });
    fs.symlinkSync(path.join(CROWDSEC_HUB, item), path.join(target, path.basename(item)));
  }
  const parsed = YAML.parse(fs.readFileSync(config, "utf8"));
  parsed.config_paths.data_dir = `${data}/`;
  parsed.db_config.db_path = path.join(data, "crowdsec.db");
  parsed.api.server.listen_uri = `127.0.0.1:${port}`;
  parsed.api.server.online_client = null;
  parsed.api.server.console_path = path.join(etc, "console.yaml");
  parsed.api.client.credentials_path = path.join(etc, "local_api_credentials.yaml");
  parsed.prometheus = { enabled: false };
  fs.rmSync(path.join(etc, "config.yaml.local"), { force: true });
  fs.writeFileSync(config, toYaml(parsed));
  const added = run("cscli", [
    "-c",
    config,
    "machines",
    "add",
    "koprogo-test",
    "--password",
    "koprogo-test-password",
    "-f",
    parsed.api.client.credentials_path,
    "--url",
    `http://127.0.0.1:${port}`,
    "--force",
  ]);
  if (added.status !== 0) throw new Error(`cscli machines add failed: ${added.output}`);

  let replays = 0;
  return (log, type) => {
    const dump = path.join(dir, `dump-${replays++}`);
    fs.mkdirSync(dump);
    const result = run("crowdsec", ["-c", config, "-dsn", `file://${log}`, "-type", type, "-dump-data", dump]);
    if (!fs.existsSync(path.join(dump, "parser-dump.yaml")))
      throw new Error(`crowdsec replay of ${log} wrote no dump: ${result.output.slice(-2000)}`);
    const stages = (YAML.parse(fs.readFileSync(path.join(dump, "parser-dump.yaml"), "utf8")) ?? {}) as Record<
      string,
      Record<string, DumpedEvent[]> | unknown
    >;
    const eventsOf = (name: string): DumpedEvent[] =>
      Object.values(stages).flatMap((stage) =>
        stage && typeof stage === "object" && name in (stage as object)
          ? (stage as Record<string, DumpedEvent[]>)[name]
          : [],
      );
    const poured = (YAML.parse(fs.readFileSync(path.join(dump, "bucketpour-dump.yaml"), "utf8")) ?? {}) as Record<
      string,
      { Meta?: Record<string, string> }[]
    >;
    return {
      poured: Object.fromEntries(
        Object.entries(poured)
          .filter(([name]) => name !== "OK")
          .map(([name, events]) => [name, events.map((e) => e.Meta?.source_ip ?? "")]),
      ),
      parsed: (name) =>
        eventsOf(name)
          .filter((e) => e.success)
          .map((e) => e.evt.Meta?.source_ip ?? ""),
      whitelistedBy: (name) =>
        eventsOf(name)
          .filter((e) => e.success && e.evt.Whitelisted)
          .map((e) => e.evt.Meta?.source_ip ?? ""),
    };
  };
}
