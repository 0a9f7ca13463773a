/** Pulumi.lab.yaml points the program at the lab's images: each the lab's build of the pinned version. */
import { labImageReference, LAB_IMAGE_PREFIX } from "../lab/images/build";
import { labImages } from "../lab/images/services";
import { loadStackFile, parseStackConfig } from "../settings";
import { IMAGES, imageOf, type ImageName } from "../settings/images";
import { PROJECT_DIR } from "./helpers/stacks";

const { settings } = loadStackFile("lab", PROJECT_DIR);
const overrides = settings.docker.images;
const nginxTag = overrides.logGateway?.slice(overrides.logGateway.lastIndexOf(":") + 1) ?? "";
const images = labImages({ nginxVersion: nginxTag, traefikVersion: "unbuilt" });

describe("Pulumi.lab.yaml", () => {
  it.each(Object.keys(IMAGES) as ImageName[])("runs the lab's build of %s", (name) => {
    const image = images.find((i) => i.name === name);
    if (!image) throw new Error(`no lab image for ${name}`);
    expect(imageOf(settings, name)).toBe(labImageReference(LAB_IMAGE_PREFIX, image));
  });

  it("keeps the pinned version in every tag but the log gateway's (Debian's nginx, lab/images/services.ts)", () => {
    for (const name of Object.keys(IMAGES) as ImageName[]) {
      if (name === "logGateway") continue;
      const tag = (ref: string) => ref.slice(ref.lastIndexOf(":"));
      expect(`${name} ${tag(imageOf(settings, name))}`).toBe(`${name} ${tag(IMAGES[name])}`);
    }
    expect(nginxTag).toMatch(/^1\.\d+\.\d+$/);
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
