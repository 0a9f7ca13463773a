/**
 * The one way the tests and the benchmark start Prometheus and Alertmanager natively: the command line the program
 * gives their containers (prometheus/flags.ts, alertmanager/flags.ts, the same functions the components call), with
 * what only a container has replaced: the container's paths by the rendered directory and a data directory (at a path
 * boundary, as the mount would resolve them), and the listen address and external URL of the run. Every other flag
 * (retention, the web config with its logins, gossip off or on) is the deployed one, so a flag the program adds or
 * changes is run by every suite at once, and no suite keeps a hand-written copy to drift.
 */
import * as path from "path";
import { clusterFlags } from "../alertmanager/cluster";
import { alertmanagerFlags } from "../alertmanager/flags";
import { ALERTMANAGER_PATHS } from "../alertmanager/paths";
import { CONFIG_DIRS } from "../contract/configDirs";
import { prometheusFlags } from "../prometheus/flags";
import { PROMETHEUS_PATHS } from "../prometheus/paths";
import type { Settings } from "../settings";
import { monitoringHostName } from "../settings/hosts";

/** A container path and the host path it is mounted from. */
export interface PathMount {
  readonly from: string;
  readonly to: string;
}

/** Replaces `from` at a path boundary (the whole value, or after `=`), as it would resolve inside the container. */
export function translatePath(value: string, from: string, to: string): string {
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return value.replace(new RegExp(`(^|=)${escaped}(?=/|$)`), `$1${to}`);
}

/** Every value translated through `mounts`, the longest container path first (`/host/proc` before `/host`). */
export function translatePaths(values: readonly string[], mounts: readonly PathMount[]): string[] {
  const sorted = [...mounts].sort((a, b) => b.from.length - a.from.length);
  return values.map((value) => sorted.reduce((v, m) => translatePath(v, m.from, m.to), value));
}

/**
 * `--name=value` flags with some values replaced: a flag of `overrides` replaces the same flag (or is added at the
 * end when absent); `null` removes it. A flag the command never had and `null` is an error: the override is stale.
 */
export function overrideFlags(flags: readonly string[], overrides: Readonly<Record<string, string | null>>): string[] {
  const nameOf = (flag: string) => flag.slice(0, flag.includes("=") ? flag.indexOf("=") : undefined);
  const out = flags.filter((flag) => !(nameOf(flag) in overrides));
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) {
      if (!flags.some((flag) => nameOf(flag) === name))
        throw new Error(`overrideFlags: ${name} is not in the command (${flags.join(" ")})`);
      continue;
    }
    out.push(`${name}=${value}`);
  }
  return out;
}

export interface NativeServerOptions {
  /** The rendered config root (what the components write under `<configRoot>/<namePrefix>`). */
  readonly configDir: string;
  readonly dataDir: string;
  /** `host:port` the server binds. */
  readonly listen: string;
  /** Defaults to `http://<listen>`: the links in notifications point at the run's own server. */
  readonly externalUrl?: string;
}

/** Prometheus's deployed command line for a native run (its container's paths mapped to the run's). */
export function nativePrometheusArgs(settings: Settings, options: NativeServerOptions): string[] {
  return overrideFlags(
    translatePaths(prometheusFlags(settings), [
      { from: PROMETHEUS_PATHS.configDir, to: path.join(options.configDir, CONFIG_DIRS.prometheus.host) },
      { from: PROMETHEUS_PATHS.data, to: options.dataDir },
    ]),
    {
      "--web.listen-address": options.listen,
      "--web.external-url": options.externalUrl ?? `http://${options.listen}`,
    },
  );
}

/**
 * Alertmanager's deployed command line for a native run of peer `peer`: gossip off for one Alertmanager, else bound
 * to the peer's private address (in a container it binds 0.0.0.0 and Docker publishes the port on that address).
 */
export function nativeAlertmanagerArgs(
  settings: Settings,
  options: NativeServerOptions,
  peer = monitoringHostName(settings),
): string[] {
  const gossip = clusterFlags(settings, peer, "native").find((f) => f.startsWith("--cluster.listen-address="))!;
  return overrideFlags(
    translatePaths(alertmanagerFlags(settings, peer), [
      { from: ALERTMANAGER_PATHS.configDir, to: path.join(options.configDir, CONFIG_DIRS.alertmanager.host) },
      { from: ALERTMANAGER_PATHS.data, to: options.dataDir },
    ]),
    {
      "--web.listen-address": options.listen,
      "--web.external-url": options.externalUrl ?? `http://${options.listen}`,
      "--cluster.listen-address": gossip.slice(gossip.indexOf("=") + 1),
    },
  );
}
