/** Pulumi.lab.yaml points the program at the lab's images: each the lab's build of the pinned version. */
import { labImageReference, LAB_IMAGE_PREFIX } from "../../lab/images/build";
import { labImages } from "../../lab/images/services";
import { loadStackFile, parseStackConfig } from "../../settings";
import { DEPLOYED_IMAGES, IMAGES, imageOf, type DeployedImageName } from "../../settings/images";
import { TOOL_VERSIONS } from "../../toolchain/versions";
import { PROJECT_DIR } from "../helpers/stacks";

const { settings } = loadStackFile("lab", PROJECT_DIR);
const overrides = settings.docker.images;
// The lab file's own tags are the versions its images carry; each must then be the lab's reference for that build.
const tagOf = (ref: string | undefined) => ref?.slice(ref.lastIndexOf(":") + 1);
const images = labImages({
  versions: Object.fromEntries(Object.entries(overrides).map(([name, ref]) => [name, tagOf(ref)])),
});

describe("Pulumi.lab.yaml", () => {
  it.each(DEPLOYED_IMAGES)("runs the lab's build of %s", (name) => {
    const image = images.find((i) => i.name === name);
    if (!image) throw new Error(`no lab image for ${name}`);
    expect(imageOf(settings, name)).toBe(labImageReference(LAB_IMAGE_PREFIX, image));
  });

  it("keeps the pinned version in every tag, unless the tool has a written drift (toolchain/versions.ts)", () => {
    for (const image of images.filter((i) => i.name !== "appTraefik")) {
      const name = image.name as DeployedImageName;
      const drift = (TOOL_VERSIONS as Record<string, { allowedDrift?: string }>)[image.tool]?.allowedDrift;
      const tag = (ref: string) => ref.slice(ref.lastIndexOf(":") + 1);
      if (drift) expect(tag(imageOf(settings, name))).toMatch(/^v?\d+\.\d+\.\d+$/);
      else expect(`${name} ${tag(imageOf(settings, name))}`).toBe(`${name} ${tag(IMAGES[name])}`);
    }
  });
});

describe("docker.images", () => {
  it("leaves a service without an override on its pinned image", () => {
    const { settings: dev } = parseStackConfig("dev", {}, new Set());
    expect(imageOf(dev, "prometheus")).toBe(IMAGES.prometheus);
  });

  it.each([
    ["latest", "koprogo-lab/prometheus:latest"],
    ["a bare major", "koprogo-lab/prometheus:v3"],
    ["no tag", "koprogo-lab/prometheus"],
    ["an upper-case repository", "Koprogo/prometheus:v3.5.0"],
  ])("refuses %s, naming the key", (_, reference) => {
    expect(() => parseStackConfig("dev", { docker: { images: { prometheus: reference } } }, new Set())).toThrow(
      "docker.images.prometheus",
    );
  });

  it("refuses a service that has no image", () => {
    expect(() => parseStackConfig("dev", { docker: { images: { suricata: "x/y:1.0.0" } } }, new Set())).toThrow(
      "docker.images",
    );
  });
});
