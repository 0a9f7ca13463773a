/**
 * The application's network as Compose names it, on a real Docker engine (Debian's dockerd, started on private
 * paths and stopped after): the check of host/appNetwork.ts refuses `koprogo-network` when the backend is on
 * `docker-compose_koprogo-network`, naming that network and the setting to change, passes with the real name, and
 * says what to do when the backend container does not exist.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { appNetworkCheckScript, backendContainer } from "../../host/appNetwork";
import { waitFor } from "../../e2e/processes";
import { describeWithTools, tempDir } from "../helpers/tools";

/** As `docker compose -f infrastructure/_shared/docker-compose/docker-compose.base.yml up` names it: project = folder. */
const COMPOSE_NETWORK = "docker-compose_koprogo-network";

describeWithTools("the application's network check, on a real Docker engine", ["/usr/sbin/dockerd", "docker"], () => {
  const tmp = tempDir("koprogo-appnet");
  const sock = `unix://${tmp.dir}/docker.sock`;
  const env = { ...process.env, DOCKER_HOST: sock };
  let dockerd: ChildProcess | undefined;
  const docker = (...args: string[]) => execFileSync("docker", args, { env, encoding: "utf8" });
  const check = (network: string, container: string) => {
    const result = spawnSync("sh", ["-c", appNetworkCheckScript(network, container)], { env, encoding: "utf8" });
    return { status: result.status, stderr: result.stderr };
  };

  beforeAll(async () => {
    dockerd = spawn(
      "/usr/sbin/dockerd",
      [
        "--storage-driver=overlay2",
        "--iptables=false",
        "--ip6tables=false",
        "--bridge=none",
        `--data-root=${tmp.dir}/data`,
        `--exec-root=${tmp.dir}/exec`,
        `-H=${sock}`,
        `--pidfile=${tmp.dir}/docker.pid`,
      ],
      { stdio: ["ignore", fs.openSync(path.join(tmp.dir, "dockerd.log"), "w"), "inherit"] },
    );
    await waitFor("dockerd", () => (spawnSync("docker", ["info"], { env }).status === 0 ? true : undefined), 60_000);
    // The network as Compose creates it (its labels too), and a backend container on it. No registry: an image
    // imported from a one-file tarball; the container is created, not started (its networks are already set).
    docker(
      "network",
      "create",
      "--label",
      "com.docker.compose.network=koprogo-network",
      "--label",
      "com.docker.compose.project=docker-compose",
      COMPOSE_NETWORK,
    );
    fs.writeFileSync(path.join(tmp.dir, "marker"), "koprogo");
    execFileSync("tar", ["-cf", path.join(tmp.dir, "rootfs.tar"), "-C", tmp.dir, "marker"]);
    docker("import", path.join(tmp.dir, "rootfs.tar"), "koprogo-lab-backend:appnet");
    docker(
      "create",
      "--name",
      "koprogo-backend",
      "--network",
      COMPOSE_NETWORK,
      "koprogo-lab-backend:appnet",
      "/marker",
    );
  }, 120_000);

  afterAll(async () => {
    spawnSync("docker", ["rm", "-f", "koprogo-backend"], { env });
    spawnSync("docker", ["network", "rm", COMPOSE_NETWORK], { env });
    if (dockerd?.pid) {
      dockerd.kill("SIGTERM");
      await new Promise((resolve) => dockerd!.once("exit", resolve));
    }
    // dockerd leaves its default netns mount behind (/work/shared/DOCKER-ENGINE.md).
    spawnSync("umount", [path.join(tmp.dir, "exec/netns/default")]);
    tmp.remove();
  }, 60_000);

  it("names the backend container from targets.api.address", () => {
    expect(backendContainer("koprogo-backend:8080")).toBe("koprogo-backend");
    expect(backendContainer("127.0.0.1:8080")).toBeUndefined();
    expect(backendContainer("localhost:8080")).toBeUndefined();
  });

  it("refuses koprogo-network, naming the network Compose made and the setting to change", () => {
    const { status, stderr } = check("koprogo-network", "koprogo-backend");
    expect(status).toBe(1);
    expect(stderr).toContain(`koprogo-backend is on ${COMPOSE_NETWORK}`);
    expect(stderr).toContain(`Set koprogo-observability:docker.network.name to "${COMPOSE_NETWORK}"`);
  });

  it("passes with the network's real name", () => {
    expect(check(COMPOSE_NETWORK, "koprogo-backend")).toEqual({ status: 0, stderr: "" });
  });

  it("says what to do when the backend container does not exist", () => {
    const { status, stderr } = check(COMPOSE_NETWORK, "koprogo-missing");
    expect(status).toBe(1);
    expect(stderr).toContain("the backend container koprogo-missing does not exist on this host");
  });
});
