/**
 * The one command line the tests and the benchmark run Prometheus and Alertmanager with (e2e/serverFlags.ts): the
 * program's own flags, with only the container's paths, the listen address and the external URL replaced.
 */
import { alertmanagerFlags } from "../../alertmanager/flags";
import { nativeAlertmanagerArgs, nativePrometheusArgs, overrideFlags, translatePaths } from "../../e2e/serverFlags";
import { prometheusFlags } from "../../prometheus/flags";
import { stackSettings } from "../helpers/stacks";

const nameOf = (flag: string) => flag.split("=")[0];
const OPTIONS = { configDir: "/run/cfg", dataDir: "/run/data", listen: "127.0.0.1:19090" } as const;

describe("native server command lines", () => {
  const { settings } = stackSettings("prod");

  it("run Prometheus with every flag the container gets, paths mapped to the render and the data folder", () => {
    const args = nativePrometheusArgs(settings, OPTIONS);
    expect(args.map(nameOf).sort()).toEqual(
      [...new Set([...prometheusFlags(settings).map(nameOf), "--web.external-url"])].sort(),
    );
    expect(args).toContain("--config.file=/run/cfg/prometheus/prometheus.yml");
    expect(args).toContain("--storage.tsdb.path=/run/data");
    expect(args.find((a) => a.startsWith("--web.config.file="))).toMatch(
      /^--web\.config\.file=\/run\/cfg\/prometheus\//,
    );
    expect(args).toContain(`--storage.tsdb.retention.time=${settings.prometheus.retention}`);
    expect(args).toContain(`--storage.tsdb.retention.size=${settings.prometheus.retentionSize}`);
    expect(args).toContain("--web.listen-address=127.0.0.1:19090");
    expect(args).toContain("--web.external-url=http://127.0.0.1:19090");
    expect(args.filter((a) => a.includes("/etc/prometheus") || a.includes("=/prometheus"))).toEqual([]);
  });

  it("run a lone Alertmanager with gossip off, and a cluster peer bound to its private address", () => {
    const lone = nativeAlertmanagerArgs(settings, OPTIONS);
    expect(lone.map(nameOf).sort()).toEqual(alertmanagerFlags(settings).map(nameOf).sort());
    expect(lone).toContain("--config.file=/run/cfg/alertmanager/alertmanager.yml");
    expect(lone).toContain("--storage.path=/run/data");
    expect(lone).toContain("--cluster.listen-address=");
    const scale = stackSettings("scale").settings;
    const peer = nativeAlertmanagerArgs(scale, OPTIONS, "api-2");
    expect(peer).toContain("--cluster.listen-address=10.0.0.12:9094");
    expect(peer).toContain("--cluster.peer=10.0.0.10:9094");
    expect(alertmanagerFlags(scale, "api-2")).toContain("--cluster.listen-address=0.0.0.0:9094");
  });

  it("maps paths at a path boundary only, the longest first", () => {
    expect(
      translatePaths(
        ["--a=/prometheus", "--b=/prometheus/x", "--c=/prometheus-data", "/host/proc/1"],
        [
          { from: "/prometheus", to: "/d" },
          { from: "/host", to: "/" },
          { from: "/host/proc", to: "/proc" },
        ],
      ),
    ).toEqual(["--a=/d", "--b=/d/x", "--c=/prometheus-data", "/proc/1"]);
  });

  it("refuses to remove a flag the command does not have (a stale override)", () => {
    expect(overrideFlags(["--a=1", "--b=2"], { "--a": "3", "--c": "4" })).toEqual(["--b=2", "--a=3", "--c=4"]);
    expect(() => overrideFlags(["--a=1"], { "--b": null })).toThrow("--b is not in the command");
  });
});
