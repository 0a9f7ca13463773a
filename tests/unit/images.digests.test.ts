/**
 * Every image is pinned to its content (`<image>:<tag>@sha256:<digest>`), except the documented exceptions, each
 * with its sources written beside it; a stack that deploys for real refuses an override that a tag move could change
 * (issue 20, item 5).
 */
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig, StackConfigError } from "../../settings";
import { imageDigestIssues } from "../../settings/deployment";
import { DIGEST_EXCEPTIONS, hasImageDigest, IMAGES, imageTag, parseImageReference } from "../../settings/images";
import { loadStackFile } from "../../settings";
import { PROJECT_DIR } from "../helpers/stacks";

const NS = "koprogo-observability";
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const names = Object.keys(IMAGES) as (keyof typeof IMAGES)[];

describe("the pins of settings/images.ts", () => {
  it("pin every image by digest but exactly the documented exceptions: the socket proxy", () => {
    expect(names.filter((name) => !hasImageDigest(IMAGES[name]))).toEqual(Object.keys(DIGEST_EXCEPTIONS));
    expect(Object.keys(DIGEST_EXCEPTIONS)).toEqual(["socketProxy"]);
  });

  it("keep an exact tag beside each digest (what Renovate compares releases on, what the lab builds)", () => {
    for (const name of names) expect(`${name} ${imageTag(IMAGES[name])}`).toMatch(/ v?\d+\.\d+\.\d+$/);
  });

  it.each(names.filter((name) => hasImageDigest(IMAGES[name])))(
    "write the sources of %s's digest beside it: at least two public files that pin the same reference",
    (name) => {
      const lines = fs.readFileSync(path.join(PROJECT_DIR, "settings/images.ts"), "utf8").split("\n");
      // The `//` lines right above the entry's key.
      let line = lines.findIndex((l) => l.trimStart().startsWith(`${name}:`)) - 1;
      const comment: string[] = [];
      while (line >= 0 && lines[line].trimStart().startsWith("//")) comment.unshift(lines[line--]);
      expect(comment.join("\n")).toMatch(/Sources:|lists|pinned as/);
      expect(new Set(comment.join("\n").match(/\(\d{9,12}\)/g) ?? []).size).toBeGreaterThanOrEqual(2);
    },
  );

  it("are listed with their reason in docs/operator/security.md, exactly the exceptions", () => {
    const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs/operator/security.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Image digests"));
    expect(section.length).toBeLessThan(doc.length);
    const rows = [...section.matchAll(/^\| `([a-zA-Z]+)` \| `([^`]+)` \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(
      Object.keys(DIGEST_EXCEPTIONS).map((name) => [name, IMAGES[name as keyof typeof IMAGES] as string]),
    );
  });

  it("split into repository, tag and digest (a registry's port is no tag)", () => {
    expect(parseImageReference(IMAGES.postgresExporter)).toEqual({
      repository: "quay.io/prometheuscommunity/postgres-exporter",
      tag: "v0.17.1",
      digest: "sha256:38606faa38c54787525fb0ff2fd6b41b4cfb75d455c1df294927c5f611699b17",
    });
    expect(parseImageReference("registry.local:5000/socket-proxy:1.12.2")).toEqual({
      repository: "registry.local:5000/socket-proxy",
      tag: "1.12.2",
      digest: undefined,
    });
    expect(parseImageReference(`registry.local:5000/x@${DIGEST}`)).toEqual({
      repository: "registry.local:5000/x",
      tag: undefined,
      digest: DIGEST,
    });
  });
});

/** The problems of a stack config, one line each; [] when it is accepted. */
function problems(stack: string, values: Record<string, unknown>, secrets: string[] = []): string[] {
  try {
    parseStackConfig(stack, values, new Set(secrets));
    return [];
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
}

/** What prod and staging need besides the images, so that only the images' problems are left. */
const DEPLOYED = {
  values: {
    postgresExporter: { manageRole: true },
    notifications: { watchdog: { kind: "heartbeat" } },
    watchdogHeartbeatUrl: "<secure>",
  },
  secrets: ["watchdogHeartbeatUrl"],
};

describe("docker.images overrides where the stack deploys (staging, prod)", () => {
  const imageProblems = (stack: string, docker: Record<string, unknown>) =>
    problems(stack, { ...DEPLOYED.values, docker }, DEPLOYED.secrets).filter((p) => p.includes(":docker.image"));

  it.each(["prod", "staging"])("refuses a tag-only override in %s, naming the key, the reason and the fix", (stack) => {
    const found = imageProblems(stack, { images: { socketProxy: "mirror.example/socket-proxy:1.12.2" } });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`${NS}:docker.images.socketProxy: must be pinned by digest in ${stack}`);
    expect(found[0]).toContain("a tag can be moved to other content");
    expect(found[0]).toContain("docker buildx imagetools inspect mirror.example/socket-proxy:1.12.2");
    expect(found[0]).toContain("docker.imagesWithoutDigest");
  });

  it("takes an override pinned by digest", () => {
    expect(imageProblems("prod", { images: { prometheus: `mirror.example/prometheus:v3.5.0@${DIGEST}` } })).toEqual([]);
  });

  it("takes a tag-only override the operator opted out for by name, and nothing else", () => {
    expect(
      imageProblems("prod", {
        images: { grafana: "local/grafana:12.1.1" },
        imagesWithoutDigest: ["grafana"],
      }),
    ).toEqual([]);
    expect(
      imageProblems("prod", {
        images: { grafana: "local/grafana:12.1.1", loki: "local/loki:3.5.3" },
        imagesWithoutDigest: ["grafana"],
      }),
    ).toEqual([expect.stringContaining(`${NS}:docker.images.loki: must be pinned by digest in prod`)]);
  });

  it("refuses an opt-out that outlived its reason (no override, or one with a digest)", () => {
    expect(imageProblems("prod", { imagesWithoutDigest: ["loki"] })).toEqual([
      expect.stringContaining(
        `${NS}:docker.imagesWithoutDigest.0: lists loki, but docker.images has no loki override (the pinned image runs)`,
      ),
    ]);
    expect(
      imageProblems("prod", { images: { loki: `x/loki:3.5.3@${DIGEST}` }, imagesWithoutDigest: ["loki"] }),
    ).toEqual([
      expect.stringContaining("docker.images.loki has a digest: remove loki from docker.imagesWithoutDigest"),
    ]);
  });

  it("lets dev and the lab run local builds, which have no registry digest", () => {
    expect(
      imageDigestIssues({ environment: "dev", docker: { images: { loki: "x/loki:3.5.3" }, imagesWithoutDigest: [] } }),
    ).toEqual([]);
    const lab = loadStackFile("lab", PROJECT_DIR).settings;
    expect(Object.values(lab.docker.images).every((ref) => !hasImageDigest(ref))).toBe(true);
    expect(imageDigestIssues(lab)).toEqual([]);
  });
});
