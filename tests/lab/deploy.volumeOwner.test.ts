/**
 * The first deploy's data volume on a real Docker engine (Debian's dockerd, e2e/dockerEngine.ts): the volume is
 * handed to the service's uid by the real one-shot chown (components/volumeOwner.ts), then the service starts with
 * the volume mounted as its container arguments say (components/container.ts).
 *
 * The arguments reach the engine the way kreuzwerker's provider sends them at create
 * (internal/provider/resource_docker_container_funcs.go): a `mounts` entry of type `volume` with
 * `volumeOptions.noCopy` becomes `HostConfig.Mounts[{Type: volume, VolumeOptions: {NoCopy: true}}]`, which the
 * CLI's `--mount type=volume,...,volume-nocopy` sends too; a `volumes` entry with a `volumeName` (what the
 * program declared before) becomes the bind string `name:path:rw` of `HostConfig.Binds`, the CLI's `-v`.
 * The image has the upstream Prometheus image's shape: `/prometheus` owned by nobody (65534), a VOLUME there.
 */
import * as fs from "fs";
import * as path from "path";
import { serviceContainerArgs } from "../../components/container";
import { chownVolumeScript } from "../../host/volumeOwner";
import { dockerUser, SERVICE_USERS } from "../../contract/serviceUsers";
import { IMAGES } from "../../settings/images";
import { startDockerEngine, type DockerEngine } from "../../e2e/dockerEngine";
import { buildBaseImage } from "../../lab/images/build";
import { toolPath } from "../../toolchain/cache";
import { describeWithTools, run, tempDir } from "../helpers/tools";

jest.setTimeout(300_000);

const IMAGE = "koprogo-lab/volume-owner-check:1";
const PROMETHEUS = SERVICE_USERS.prometheus;

/** The engine-side form of the program's data mounts: `--mount` flags, as the provider's `HostConfig.Mounts`. */
function mountFlags(volume: string): string[] {
  const args = serviceContainerArgs({
    name: "volume-owner-check",
    image: IMAGES.prometheus,
    memory: "64m",
    bindAddress: "127.0.0.1",
    healthcheck: ["CMD", "true"],
    volumes: [{ volume, path: "/prometheus" }],
  });
  const mounts = (args.mounts ?? []) as {
    type: string;
    source: string;
    target: string;
    readOnly: boolean;
    volumeOptions?: { noCopy?: boolean };
  }[];
  return mounts.flatMap((m) => [
    "--mount",
    [
      `type=${m.type}`,
      `source=${m.source}`,
      `target=${m.target}`,
      ...(m.readOnly ? ["readonly"] : []),
      ...(m.volumeOptions?.noCopy ? ["volume-nocopy"] : []),
    ].join(","),
  ]);
}

describeWithTools(
  "a data volume on its first mount (real engine)",
  ["dockerd", "docker", "unshare", toolPath("busybox")],
  () => {
    let engine: DockerEngine;
    const tmp = tempDir("volume-owner");

    beforeAll(async () => {
      engine = await startDockerEngine({ name: "pl-owner" });
      const base = await buildBaseImage(engine, "prometheus-busybox");
      // As prometheus/prometheus's Dockerfile: the data folder owned by nobody and declared a volume.
      fs.writeFileSync(
        path.join(tmp.dir, "Dockerfile"),
        [
          `FROM ${base}`,
          "RUN mkdir -p /prometheus && chown -R 65534:65534 /prometheus",
          "USER 65534",
          'VOLUME ["/prometheus"]',
          "",
        ].join("\n"),
      );
      await engine.docker(["build", "-q", "-t", IMAGE, tmp.dir]);
    });
    afterAll(async () => {
      await engine?.stop();
      tmp.remove();
    });

    /** Creates a volume, hands it to Prometheus's uid with the real script, then starts the service on it. */
    async function firstStart(volume: string, mount: readonly string[]): Promise<{ status: number; output: string }> {
      await engine.docker(["volume", "create", volume]);
      const chown = run("sh", ["-c", chownVolumeScript(volume, IMAGE, PROMETHEUS)], {
        env: { ...process.env, ...engine.env },
      });
      expect(chown.status).toBe(0);
      return run(
        "docker",
        [
          "run",
          "--rm",
          "--user",
          dockerUser("prometheus"),
          ...mount,
          IMAGE,
          "sh",
          "-c",
          "stat -c %u:%g /prometheus && touch /prometheus/lock && echo written",
        ],
        { env: { ...process.env, ...engine.env } },
      );
    }

    it("keeps the owner the chown gave it when mounted as the program declares it (no copy-up): Prometheus can write", async () => {
      const result = await firstStart("pl-owner-mounts", mountFlags("pl-owner-mounts"));
      expect(result.output.trim().split("\n")).toEqual([`${PROMETHEUS.uid}:${PROMETHEUS.gid}`, "written"]);
      expect(result.status).toBe(0);
    });

    it("hands the volume root back to the image's 65534 when mounted as a bind string, as declared before: Prometheus cannot write", async () => {
      const result = await firstStart("pl-owner-binds", ["-v", "pl-owner-binds:/prometheus:rw"]);
      expect(result.output).toContain("65534:65534");
      expect(result.output).toContain("Permission denied");
      expect(result.status).not.toBe(0);
    });
  },
);
