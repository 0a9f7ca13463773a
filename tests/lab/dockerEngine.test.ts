/**
 * The tests' Docker engine (e2e/dockerEngine.ts) on Debian's real dockerd: private paths, containers with limits,
 * Docker's own iptables chains only inside the engine's network namespace, and nothing left behind after a stop,
 * even when the engine was killed with a container running.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startDockerEngine, type DockerEngine } from "../../e2e/dockerEngine";
import { waitFor } from "../../e2e/processes";
import { buildBaseImage } from "../../lab/images/build";
import { describeWithTools, toolPath } from "../helpers/tools";

jest.setTimeout(240_000);

const BUSYBOX = toolPath("busybox");

/** What a stopped engine must not leave: its folder, mounts under it, cgroups, network namespace, processes. */
function leftovers(engine: DockerEngine, cgroupParent: string): string[] {
  const mounts = fs
    .readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((line) => line.includes(engine.dir));
  const cgroups = fs
    .readdirSync("/sys/fs/cgroup")
    .map((hierarchy) => path.join("/sys/fs/cgroup", hierarchy, cgroupParent))
    .filter((dir) => fs.existsSync(dir));
  const namespaces = engine.netns
    ? execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
        .split("\n")
        .filter((line) => line.startsWith(`${engine.netns} `) || line === engine.netns)
    : [];
  const processes = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(engine.dir) && !line.includes("ps -eo"));
  return [
    ...(fs.existsSync(engine.dir) ? [`folder ${engine.dir}`] : []),
    ...mounts.map((m) => `mount ${m}`),
    ...cgroups.map((c) => `cgroup ${c}`),
    ...namespaces.map((n) => `netns ${n}`),
    ...processes.map((p) => `process ${p}`),
  ];
}

const cgroupParentOf = (engine: DockerEngine) => engine.cgroupParent;

describeWithTools("a private Docker engine", ["dockerd", "docker", "unshare", "nsenter", BUSYBOX], () => {
  describe("without a network namespace (iptables off)", () => {
    let engine: DockerEngine;
    let image: string;
    const runDockerExisted = fs.existsSync("/run/docker");

    beforeAll(async () => {
      engine = await startDockerEngine({ name: "plain" });
      image = await buildBaseImage(engine, "prometheus-busybox");
    });
    afterAll(() => engine?.stop());

    it("keeps its data, state and socket in its own folder", async () => {
      const info = (await engine.docker(["info", "--format", "{{.DockerRootDir}} {{.Driver}}"])).trim();
      expect(info).toBe(`${path.join(engine.dir, "data")} overlay2`);
      expect(engine.host).toBe(`unix://${path.join(engine.dir, "docker.sock")}`);
      expect(fs.existsSync("/run/docker")).toBe(runDockerExisted);
    });

    it("runs a container under a memory limit, in a cgroup of its own parent", async () => {
      const id = (
        await engine.docker(["run", "-d", "--memory", "32m", "--name", "sleeper", image, "sleep", "300"])
      ).trim();
      const memoryDir = path.join("/sys/fs/cgroup/memory", cgroupParentOf(engine), id);
      const limit = Number(fs.readFileSync(path.join(memoryDir, "memory.limit_in_bytes"), "utf8"));
      expect(limit).toBe(32 * 1024 * 1024);
      expect(await engine.docker(["exec", "sleeper", "id", "-u"])).toBe("0\n");
    });

    it("reports an OOM kill as Docker does", async () => {
      await engine
        .docker([
          "run",
          "--name",
          "oom",
          "--memory",
          "8m",
          "--memory-swap",
          "8m",
          image,
          "sh",
          "-c",
          "x=a; while :; do x=$x$x; done",
        ])
        .catch(() => undefined);
      const state = (await engine.docker(["inspect", "-f", "{{.State.ExitCode}} {{.State.OOMKilled}}", "oom"])).trim();
      expect(state).toBe("137 true");
    });

    it("leaves nothing behind once stopped, with a container still running", async () => {
      await engine.stop();
      expect(leftovers(engine, cgroupParentOf(engine))).toEqual([]);
      expect(fs.existsSync("/run/docker")).toBe(runDockerExisted);
    });
  });

  describe("in a network namespace of its own (iptables on)", () => {
    let engine: DockerEngine;
    let image: string;

    beforeAll(async () => {
      engine = await startDockerEngine({ name: "netns", network: { subnet: `10.251.${(process.pid % 200) + 20}` } });
      image = await buildBaseImage(engine, "prometheus-busybox");
    });
    afterAll(() => engine?.stop());

    it("publishes a port through Docker's NAT on the engine's address", async () => {
      await engine.docker(["network", "create", "web"]);
      await engine.docker([
        "run",
        "-d",
        "--name",
        "web",
        "--network",
        "web",
        "-p",
        "8080:80",
        image,
        "httpd",
        "-f",
        "-p",
        "80",
        "-h",
        "/etc",
      ]);
      const body = await waitFor(
        `http://${engine.address}:8080/passwd`,
        async () => {
          const response = await fetch(`http://${engine.address}:8080/passwd`, { signal: AbortSignal.timeout(2000) });
          return response.ok ? response.text() : undefined;
        },
        20_000,
      );
      expect(body).toContain("nobody:x:65534:");
    });

    it("creates DOCKER-USER and the NAT chains inside its namespace", () => {
      const rules = execFileSync("ip", ["netns", "exec", engine.netns ?? "", "iptables-save"], { encoding: "utf8" });
      expect(rules).toContain(":DOCKER-USER");
      expect(rules).toMatch(/-A DOCKER .*--dport 8080 -j DNAT --to-destination [0-9.]+:80/);
    });

    it("reaches the host from a container through the veth", async () => {
      const ping = await engine.docker([
        "run",
        "--rm",
        "--network",
        "web",
        image,
        "ping",
        "-c",
        "1",
        "-W",
        "5",
        engine.hostAddress ?? "",
      ]);
      expect(ping).toContain("1 packets received");
    });

    it("leaves nothing behind, even after dockerd was killed", async () => {
      process.kill(engine.process.pid, "SIGKILL");
      await engine.process.exited;
      await engine.stop();
      expect(leftovers(engine, cgroupParentOf(engine))).toEqual([]);
    });
  });
});
