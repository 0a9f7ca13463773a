/**
 * The lab's images (lab/images/): each built here from the tool cache on a private engine, with its size (the image
 * with its base layers, `docker image inspect .Size`) beside the upstream base it stands in for. Images whose binary
 * the tool cache does not have are listed with the reason.
 */
import { startDockerEngine } from "../e2e/dockerEngine";
import { buildLabImages, labImageInputs, unbuildableReason } from "../lab/images/build";
import { labImages } from "../lab/images/services";
import { fixed } from "./stats";

export async function benchImages(log: (line: string) => void): Promise<string> {
  const images = labImages(labImageInputs());
  const buildable = images.filter((image) => !unbuildableReason(image));
  const engine = await startDockerEngine({ name: "benchimg" });
  try {
    const built = await buildLabImages(engine, { only: buildable.map((i) => i.name), log });
    const rows = images.map((image) => {
      const result = built.find((b) => b.name === image.name);
      const size = result ? `${fixed(result.sizeBytes / 1024 ** 2, 1)} MiB` : `not built: ${unbuildableReason(image)}`;
      return `| ${image.name} | ${result?.reference ?? "—"} | ${size} | ${image.upstream.base} | ${image.base} |`;
    });
    // Bases are shared: what the images take on disk together is Docker's own count of unique layers.
    const onDisk = (await engine.docker(["system", "df", "--format", "{{.Type}} {{.Size}}"]))
      .split("\n")
      .find((line) => line.startsWith("Images "))
      ?.slice("Images ".length);
    return [
      "| service | lab image | size | upstream base | lab base |",
      "| --- | --- | ---: | --- | --- |",
      ...rows,
      "",
      `On disk together (\`docker system df\`, shared base layers once): ${onDisk ?? "unknown"}.`,
    ].join("\n");
  } finally {
    await engine.stop();
  }
}
