/**
 * What decides whether a real `pulumi up`, its repeat, a change and `destroy` then `up` leave every service running
 * with its data, on the resource graph of each stack under the SDK's mocks. Each case rests on the behaviour of
 * @pulumi/docker 5.x (kreuzwerker's provider) and of the engine written in components/container.ts and
 * components/dockerHost.ts; the real run (`npm run lab`) cannot run here yet (see docs/developer/lab.md).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { goDuration, HEALTHCHECK_SECONDS } from "../../components/container";
import type { ObservabilityStack } from "../../components";
import { declareCommittedStack } from "../helpers/declaredStack";
import { renderAll } from "../../stack/files";
import { placeholderSecrets } from "../../settings";
import { installPulumiMocks, promiseOf, secretInput, type RecordedResource } from "../helpers/pulumiMocks";
import { stackSettings } from "../helpers/stacks";
import YAML from "yaml";

const mocks = installPulumiMocks();
const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const NETWORK = "docker:index/network:Network";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const COMMANDS = ["command:local:Command", "command:remote:Command"];

const declare = (stack: string): Promise<ObservabilityStack> => declareCommittedStack(mocks, stack);

const optionsOf = (r: RecordedResource) => mocks.optionsOf(r.type, r.name) ?? {};
const dependsOn = (r: RecordedResource): pulumi.Resource[] => {
  const deps = optionsOf(r).dependsOn;
  return (Array.isArray(deps) ? deps : deps ? [deps] : []) as pulumi.Resource[];
};
const commands = () => COMMANDS.flatMap((type) => mocks.ofType(type));

interface Mount {
  type: string;
  source: string;
  target: string;
  readOnly: boolean;
  volumeOptions?: { noCopy?: boolean };
}

describe("healthcheck durations as Go writes them (the provider reads them back with time.Duration.String())", () => {
  it.each([
    [0, "0s"],
    [2, "2s"],
    [5, "5s"],
    [30, "30s"],
    [60, "1m0s"],
    [90, "1m30s"],
    [3600, "1h0m0s"],
    [3725, "1h2m5s"],
  ])("%i seconds is %s", (seconds, text) => {
    expect(goDuration(seconds)).toBe(text);
  });

  it("refuses what is not whole seconds", () => {
    expect(() => goDuration(1.5)).toThrow("whole seconds");
    expect(() => goDuration(-1)).toThrow("whole seconds");
  });
});

describe.each(["dev", "prod", "scale"])("the %s stack through a real deploy's life", (stack) => {
  let containers: RecordedResource[];
  beforeAll(async () => {
    await declare(stack);
    containers = mocks.ofType(CONTAINER);
  });

  it("declares its containers", () => {
    expect(containers.length).toBeGreaterThanOrEqual(6);
  });

  it("mounts every named volume without Docker's copy-up, so the owner the volume was given stays (Prometheus could not write /prometheus)", () => {
    const volumeNames = mocks.ofType(VOLUME).map((v) => v.inputs.name);
    const mounted: string[] = [];
    for (const container of containers) {
      for (const v of (container.inputs.volumes ?? []) as { volumeName?: string; hostPath?: string }[])
        expect([container.name, v.volumeName, typeof v.hostPath]).toEqual([container.name, undefined, "string"]);
      for (const m of (container.inputs.mounts ?? []) as Mount[]) {
        expect([container.name, m.type, m.volumeOptions]).toEqual([container.name, "volume", { noCopy: true }]);
        mounted.push(m.source);
      }
    }
    expect(mounted.sort()).toEqual(expect.arrayContaining([...volumeNames].sort()));
  });

  it("hands each data volume to its service's uid before the container starts, with the image already pulled", () => {
    for (const owner of commands().filter((c) => c.name.endsWith("-data-owner"))) {
      const images = dependsOn(owner).filter((d) => d instanceof docker.RemoteImage);
      expect([owner.name, images.length]).toEqual([owner.name, 1]);
    }
  });

  it("fails `up` when a new container never becomes healthy, instead of reporting success", () => {
    for (const container of containers) {
      expect([container.name, container.inputs.wait]).toEqual([container.name, true]);
      expect(container.inputs.waitTimeout as number).toBeGreaterThan(HEALTHCHECK_SECONDS.startPeriod);
    }
  });

  it("gives every service a grace period between SIGTERM and SIGKILL on replacement, destroy and engine stop", () => {
    for (const container of containers) {
      expect(container.inputs.destroyGraceSeconds as number).toBeGreaterThanOrEqual(30);
      expect(container.inputs.stopTimeout).toBe(container.inputs.destroyGraceSeconds);
    }
    for (const suffix of ["-prometheus", "-loki"])
      expect(mocks.one(CONTAINER, suffix).inputs.destroyGraceSeconds).toBe(120);
  });

  it("writes every healthcheck duration as the provider reads it back, so a refresh shows no diff", () => {
    for (const container of containers) {
      const check = container.inputs.healthcheck as Record<string, unknown>;
      expect([container.name, check.interval, check.timeout, check.startPeriod, check.startInterval]).toEqual([
        container.name,
        "30s",
        "5s",
        "1m0s",
        "2s",
      ]);
    }
  });

  it("replaces a container whose healthcheck changed (the provider can neither update it nor force a new one), the old one first", () => {
    for (const container of containers) {
      const options = optionsOf(container);
      expect([container.name, options.replaceOnChanges, options.deleteBeforeReplace]).toEqual([
        container.name,
        ["healthcheck"],
        true,
      ]);
    }
  });

  it("pulls every container's image ahead, in a resource of its own that never removes it", async () => {
    for (const container of containers) {
      const images = dependsOn(container).filter((d): d is docker.RemoteImage => d instanceof docker.RemoteImage);
      expect([container.name, images.length]).toEqual([container.name, 1]);
      expect(await promiseOf(images[0].name)).toBe(container.inputs.image);
    }
    for (const image of mocks.ofType(IMAGE)) expect(image.inputs.keepLocally).toBe(true);
  });

  it("replaces its networks delete-before-replace (a second network of one name is refused)", () => {
    const networks = mocks.ofType(NETWORK);
    expect(networks.length).toBeGreaterThan(0);
    for (const network of networks) expect(optionsOf(network).deleteBeforeReplace).toBe(true);
  });

  it("lists each rule file by name in prometheus.yml, so a file removed from the program is not loaded by the reload that precedes its delete", () => {
    const { settings } = stackSettings(stack);
    const files = renderAll(settings, placeholderSecrets(settings));
    const config = YAML.parse(files.find((f) => f.path === "prometheus/prometheus.yml")!.content) as {
      rule_files: string[];
    };
    const rendered = files.filter((f) => f.path.startsWith("prometheus/rules/")).map((f) => f.path.slice(11));
    expect(config.rule_files).toEqual(rendered);
    for (const reference of config.rule_files) expect(reference).not.toContain("*");
  });

  it("gives a kept Grafana database the stack's current admin password before Grafana starts (destroy, then up)", async () => {
    const sync = commands().find((c) => c.name.endsWith("-grafana-admin-password-sync"));
    expect(sync).toBeDefined();
    expect(String(sync!.inputs.create)).toContain("reset-admin-password --password-from-stdin");
    expect(String(sync!.inputs.create)).toContain(`source=${mocks.one(VOLUME, "-grafana-data").inputs.name},`);
    expect(secretInput(sync!.inputs.stdin).secret).toBe(true);
    // A later change of the password is the running Grafana's rotation, never a write behind its back.
    expect(sync!.inputs.update).toBe("true");
    const grafana = mocks.one(CONTAINER, "-grafana");
    const urns = await Promise.all(dependsOn(grafana).map((d) => promiseOf(d.urn)));
    expect(urns.filter((urn) => urn.endsWith(`::${sync!.name}`))).toHaveLength(1);
  });
});
