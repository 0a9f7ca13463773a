/** The attack lab's pure parts: a container as a native process, the address map, the verdict rule. */
import { declaredFileWrites, type DeclaredContainer } from "../../e2e/attack/declared";
import { asRoot, writeFileScript } from "../../host/scripts";
import { commandListenAddress } from "../../e2e/attack/lab";
import { nativeRun, withEtcMounts } from "../../e2e/attack/native";
import { refused } from "../../e2e/attack/probe";
import { labRanges, toLabAddress, toLabSubnet } from "../../e2e/attack/settings";
import { IMAGES } from "../../settings";
import { execLines, splitSystemdCommand } from "../../e2e/attack/systemd";
import { toolPath } from "../../toolchain/cache";

const prometheus: DeclaredContainer = {
  name: "koprogo-obs-prometheus",
  image: IMAGES.prometheus,
  command: [
    "--config.file=/etc/prometheus/prometheus.yml",
    "--storage.tsdb.path=/prometheus",
    "--web.listen-address=:9090",
    "--web.external-url=http://127.0.0.1:9090/prometheus",
  ],
  env: ["DATA=/prometheus/x", "OTHER=/prometheusish"],
  networks: [],
  mounts: [
    { kind: "volume", source: "koprogo-obs-prometheus-data", target: "/prometheus", readOnly: false },
    {
      kind: "bind",
      source: "/opt/koprogo-observability/koprogo-obs/prometheus",
      target: "/etc/prometheus",
      readOnly: true,
    },
  ],
  ports: [],
  labels: {},
};

describe("a declared container as a native process", () => {
  const run = nativeRun(prometheus, {
    configRoot: "/opt/koprogo-observability/koprogo-obs",
    renderDir: "/tmp/r",
    dataDir: "/tmp/v",
  });

  it("runs the cached binary of the image's tool", () => {
    expect(run.binary).toBe(toolPath("prometheus"));
  });

  it("bind-mounts the /etc directories at their own paths, from the rendered files", () => {
    expect(run.etcBinds).toEqual([{ source: "/tmp/r/prometheus", target: "/etc/prometheus" }]);
    expect(run.args[0]).toBe("--config.file=/etc/prometheus/prometheus.yml");
  });

  it("translates volume paths at a path boundary only, in arguments and environment", () => {
    expect(run.args[1]).toBe("--storage.tsdb.path=/tmp/v/koprogo-obs-prometheus-data");
    expect(run.args[3]).toBe("--web.external-url=http://127.0.0.1:9090/prometheus");
    expect(run.env).toEqual({ DATA: "/tmp/v/koprogo-obs-prometheus-data/x", OTHER: "/prometheusish" });
  });

  it("mounts over an overlay of /etc before entering the network namespace", () => {
    const { command, args } = withEtcMounts(run, "/tmp/s", ["ip", "netns", "exec", "ns", run.binary]);
    expect(command).toBe("unshare");
    expect(args.slice(args.indexOf("sh", 4) + 1)).toEqual([
      "/tmp/s",
      "/tmp/r/prometheus",
      "/etc/prometheus",
      "--",
      "ip",
      "netns",
      "exec",
      "ns",
      run.binary,
    ]);
  });

  it("refuses an image it has no binary for", () => {
    expect(() =>
      nativeRun({ ...prometheus, image: IMAGES.loki }, { configRoot: "/", renderDir: "/r", dataDir: "/d" }),
    ).toThrow(IMAGES.loki);
  });
});

describe("addresses moved into the lab", () => {
  const ranges = labRanges("172.31.213.0/24", "10.230");

  it.each([
    ["172.17.0.1", "10.230.0.1"],
    ["172.17.0.42", "10.230.0.42"],
    ["172.31.213.1", "10.230.213.1"],
  ])("maps %s to %s", (from, to) => expect(toLabAddress(from, ranges, "k")).toBe(to));

  it("refuses an address the lab does not model, naming the key", () => {
    expect(() => toLabAddress("192.168.1.5", ranges, "nodeExporter.listenAddress")).toThrow(
      "`nodeExporter.listenAddress`",
    );
  });

  it("moves a /24 and refuses anything else", () => {
    expect(toLabSubnet("172.31.213.0/24", "10.230", "k")).toBe("10.230.213.0/24");
    expect(() => toLabSubnet("172.31.0.0/16", "10.230", "docker.monitoringSubnet")).toThrow(
      "`docker.monitoringSubnet`",
    );
  });
});

describe("the verdict rule", () => {
  it.each([401, 403, 404])("counts HTTP %i as refused", (status) =>
    expect(refused({ kind: "http", status, body: "" })).toBe(true),
  );
  it.each([200, 204, 302, 400, 405, 500])("counts HTTP %i as a server that acted on the request", (status) =>
    expect(refused({ kind: "http", status, body: "" })).toBe(false),
  );
  it("counts no connection as refused", () =>
    expect(refused({ kind: "no-connection", reason: "timed out" })).toBe(true));
});

describe("listen flags", () => {
  it.each([
    [["--server.http.listen-addr=10.0.0.5:12345"], { host: "10.0.0.5", port: 12345 }],
    [["--web.listen-address=:9090"], { host: "", port: 9090 }],
    [["-listenip=0.0.0.0", "-proxyport=2375", "-allowGET=/x"], { host: "0.0.0.0", port: 2375 }],
    [["--config.file=x"], undefined],
  ])("%j → %j", (command, expected) => expect(commandListenAddress(command)).toEqual(expected));
});

describe("the files the program's host commands write", () => {
  it.each(["root", "sudo", "detect"] as const)(
    "reads target, mode, owner and group back from writeFileScript as %s",
    (access) => {
      const command = asRoot(
        writeFileScript("/opt/koprogo-observability/koprogo-obs/prometheus/web.yml", { mode: "0600", owner: 64090 }),
        access,
      );
      expect(declaredFileWrites({ hostCommands: [command, "docker kill --signal=HUP x"] })).toEqual([
        {
          target: "/opt/koprogo-observability/koprogo-obs/prometheus/web.yml",
          mode: "0600",
          owner: 64090,
          group: 64090,
        },
      ]);
    },
  );
});

describe("a systemd drop-in's commands", () => {
  const dropIn = [
    "# comment",
    "[Unit]",
    "After=docker.service",
    "ExecStartPre=/bin/not-service-section",
    "",
    "[Service]",
    'ExecStartPre=-/usr/sbin/iptables -w -D INPUT -m comment --comment "two words" -j DROP',
    "ExecStartPre=/usr/sbin/iptables -w -I INPUT -j DROP",
    "ExecStopPost=-/bin/true",
  ].join("\n");

  it("reads the [Service] lines in order, with systemd's quoting and the ignore-failure prefix", () => {
    expect(execLines(dropIn, "ExecStartPre")).toEqual([
      {
        argv: ["/usr/sbin/iptables", "-w", "-D", "INPUT", "-m", "comment", "--comment", "two words", "-j", "DROP"],
        ignoreFailure: true,
      },
      { argv: ["/usr/sbin/iptables", "-w", "-I", "INPUT", "-j", "DROP"], ignoreFailure: false },
    ]);
    expect(execLines(dropIn, "ExecStopPost")).toEqual([{ argv: ["/bin/true"], ignoreFailure: true }]);
  });

  it("refuses a prefix that changes privileges or argv[0]", () => {
    expect(() => execLines("[Service]\nExecStartPre=+/bin/sh -c x", "ExecStartPre")).toThrow("prefix +");
  });

  it("splits like systemd", () => {
    expect(splitSystemdCommand(`a 'b c' "d \\"e\\"" f`)).toEqual(["a", "b c", 'd "e"', "f"]);
  });
});
