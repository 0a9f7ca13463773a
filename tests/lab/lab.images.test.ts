/**
 * Every lab image, built here on a real Docker engine from the tool cache's binaries: its binary reports the version
 * the image is tagged with (the deployed one), it runs as the upstream image's uid, and it declares upstream's
 * ports, volumes, entrypoint and command.
 */
import * as path from "path";
import { startDockerEngine, type DockerEngine } from "../../e2e/dockerEngine";
import { buildLabImages, labImageInputs, unbuildableReason, type BuiltImage } from "../../lab/images/build";
import { labImages } from "../../lab/images/services";
import { toolCacheDir, toolPath } from "../../toolchain/cache";
import { describeWithTools } from "../helpers/tools";

jest.setTimeout(900_000);

interface ImageConfig {
  readonly User: string;
  readonly ExposedPorts: Record<string, object> | null;
  readonly Volumes: Record<string, object> | null;
  readonly Entrypoint: string[] | null;
  readonly Cmd: string[] | null;
  readonly WorkingDir: string;
}

const images = labImages(labImageInputs());

describeWithTools("the lab's images on a real engine", ["dockerd", "docker", toolPath("busybox")], () => {
  let engine: DockerEngine;
  beforeAll(async () => {
    engine = await startDockerEngine({ name: "images" });
  });
  afterAll(() => engine?.stop());

  describe.each(images.map((image) => [image.name, image] as const))("%s", (name, image) => {
    // A tool no test can run here (UNAVAILABLE_TOOLS: its written reason) is reported as skipped, even under CI;
    // a binary merely missing from the tool cache fails under CI (describeWithTools).
    const reason = unbuildableReason(image);
    const unavailable = reason?.includes("is unavailable here") ? reason : undefined;
    const describeImage = (title: string, body: () => void) =>
      unavailable
        ? describe.skip(`${title} (${unavailable.slice(0, 200)})`, body)
        : describeWithTools(title, reason ? [path.join(toolCacheDir(), `(${reason})`)] : [], body);
    describeImage(`${name}'s image`, () => {
      let built: BuiltImage;
      let config: ImageConfig;
      beforeAll(async () => {
        [built] = await buildLabImages(engine, { only: [name] });
        config = JSON.parse(
          await engine.docker(["image", "inspect", "--format", "{{json .Config}}", built.reference]),
        ) as ImageConfig;
      });

      it(`is tagged koprogo-lab/${image.repository}:${image.tag}`, () => {
        expect(built.reference).toBe(`koprogo-lab/${image.repository}:${image.tag}`);
        expect(built.sizeBytes).toBeGreaterThan(0);
      });

      it(`its binary reports ${image.version}`, async () => {
        const { entrypoint, args, expect: text } = image.versionCheck;
        const output = await engine
          .docker(["run", "--rm", ...(entrypoint ? ["--entrypoint", entrypoint] : []), built.reference, ...args], {
            timeoutMs: 60_000,
            withStderr: true,
          })
          .catch((error: Error) => error.message);
        expect(output).toContain(text.replace("{version}", image.version));
      });

      it(`runs as uid ${image.expect.uid}, as upstream's image`, async () => {
        if (image.base === "scratch") {
          // No `id` in a scratch image: the numeric USER is what the kernel gets.
          expect(Number(config.User.split(":")[0])).toBe(image.expect.uid);
          return;
        }
        const uid = await engine.docker(["run", "--rm", "--entrypoint", "id", built.reference, "-u"]);
        expect(Number(uid.trim())).toBe(image.expect.uid);
      });

      it("declares upstream's ports, volumes, entrypoint, command and working folder", () => {
        expect(Object.keys(config.ExposedPorts ?? {}).sort()).toEqual(image.expect.ports.map((p) => `${p}/tcp`).sort());
        expect(Object.keys(config.Volumes ?? {}).sort()).toEqual([...image.expect.volumes].sort());
        expect(config.Entrypoint).toEqual(image.dockerfile.entrypoint ?? null);
        if (image.dockerfile.cmd) expect(config.Cmd).toEqual(image.dockerfile.cmd);
        const workdir = image.dockerfile.workdir ?? image.dockerfile.workdirFirst;
        if (workdir) expect(config.WorkingDir).toBe(workdir);
      });
    });
  });
});
