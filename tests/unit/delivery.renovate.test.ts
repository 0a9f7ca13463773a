/**
 * Renovate's configuration, checked the way Renovate reads it: each custom manager's file pattern and regex are
 * applied to the repository's files, and must find exactly the versions the code pins.
 */
import * as fs from "fs";
import * as path from "path";
import { IMAGES, parseImageReference } from "../../settings";
import { PROJECT_DIR } from "../helpers/stacks";

interface CustomManager {
  readonly customType: string;
  readonly description: string;
  readonly managerFilePatterns: readonly string[];
  readonly matchStrings: readonly string[];
  readonly datasourceTemplate: string;
  readonly depNameTemplate?: string;
  readonly autoReplaceStringTemplate?: string;
}

interface RenovateConfig {
  readonly extends: readonly string[];
  readonly schedule: readonly string[];
  readonly customManagers: readonly CustomManager[];
  readonly packageRules: readonly {
    readonly groupName?: string;
    readonly matchFileNames?: readonly string[];
    readonly matchPackageNames?: readonly string[];
    readonly pinDigests?: boolean;
  }[];
}

const config = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "renovate.json"), "utf8")) as RenovateConfig;

/** Renovate's `/regex/` file pattern as a RegExp. */
function filePattern(pattern: string): RegExp {
  const match = /^\/(.*)\/([a-z]*)$/.exec(pattern);
  if (!match) throw new Error(`${pattern} is not a /regex/ pattern`);
  return new RegExp(match[1], match[2]);
}

/** Repository files (relative paths) a manager applies to. */
function filesOf(manager: CustomManager): string[] {
  const candidates = [
    "settings/images.ts",
    ...[".github/workflows", ".github/actions/pulumi-setup"].flatMap((dir) =>
      fs.readdirSync(path.join(PROJECT_DIR, dir)).map((f) => `${dir}/${f}`),
    ),
  ];
  return candidates.filter((file) => manager.managerFilePatterns.some((p) => filePattern(p).test(file)));
}

/** What a manager extracts: `depName`, `currentValue` (and `currentDigest` where captured) of every match in its files. */
function extract(
  manager: CustomManager,
): { file: string; depName: string; currentValue: string; currentDigest?: string; matched?: string }[] {
  return filesOf(manager).flatMap((file) => {
    const text = fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
    return manager.matchStrings.flatMap((source) =>
      [...text.matchAll(new RegExp(source, "g"))].map((m) => ({
        file,
        depName: m.groups?.depName ?? manager.depNameTemplate ?? "",
        currentValue: m.groups?.currentValue ?? "",
        ...(m.groups?.currentDigest ? { currentDigest: m.groups.currentDigest } : {}),
        ...(manager.autoReplaceStringTemplate ? { matched: m[0] } : {}),
      })),
    );
  });
}

function manager(datasource: string): CustomManager {
  const found = config.customManagers.filter((m) => m.datasourceTemplate === datasource);
  if (found.length !== 1) throw new Error(`expected one custom manager for ${datasource}`);
  return found[0];
}

describe("renovate.json", () => {
  it("updates npm packages and GitHub Actions on a schedule, pinning actions to digests", () => {
    expect(config.extends).toEqual(expect.arrayContaining(["config:recommended", "helpers:pinGitHubActionDigests"]));
    expect(config.schedule.length).toBeGreaterThan(0);
  });

  it("finds every container image of settings/images.ts with its tag and digest, and nothing else", () => {
    const found = extract(manager("docker")).map(({ matched: _, ...dep }) => dep);
    const expected = Object.values(IMAGES).map((ref) => {
      const { repository, tag, digest } = parseImageReference(ref);
      return {
        file: "settings/images.ts",
        depName: repository,
        currentValue: tag,
        ...(digest ? { currentDigest: digest } : {}),
      };
    });
    expect(found).toEqual(expected);
  });

  it("writes an update back as tag and digest, and adds a digest to a tag-only pin", () => {
    // Renovate renders autoReplaceStringTemplate (Handlebars: {{{x}}} unescaped, {{#if x}}...{{/if}}) with the new
    // values and puts it in place of the whole match; rendered with the current values it must give the match back.
    const render = (values: Record<string, string | undefined>) =>
      manager("docker")
        .autoReplaceStringTemplate!.replace(/\{\{#if (\w+)\}\}(.*?)\{\{\/if\}\}/g, (_, key: string, body: string) =>
          values[key] ? body : "",
        )
        .replace(/\{\{\{(\w+)\}\}\}/g, (_, key: string) => values[key] ?? "");
    for (const dep of extract(manager("docker")))
      expect(render({ depName: dep.depName, newValue: dep.currentValue, newDigest: dep.currentDigest })).toBe(
        dep.matched,
      );
    expect(
      // A made-up image: tests never spell a pinned one (tests/unit/tests.hygiene.test.ts).
      render({ depName: "example/tool", newValue: "1.2.3", newDigest: `sha256:${"a".repeat(64)}` }),
    ).toBe(`"example/tool:1.2.3@sha256:${"a".repeat(64)}"`);
    expect(config.packageRules).toContainEqual(
      expect.objectContaining({ matchFileNames: ["settings/images.ts"], pinDigests: true }),
    );
  });

  it("finds the Pulumi CLI version in both workflows that install it", () => {
    const found = extract(manager("github-releases"));
    expect(found.map((f) => f.file).sort()).toEqual([
      ".github/workflows/deploy.yml",
      ".github/workflows/pull-request.yml",
    ]);
    for (const f of found)
      expect(f).toMatchObject({ depName: "pulumi/pulumi", currentValue: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
  });

  it("finds the Node version of the setup action, equal to the checks job's image", () => {
    const found = extract(manager("node-version"));
    expect(found).toHaveLength(1);
    const checks = fs.readFileSync(path.join(PROJECT_DIR, ".github/workflows/checks.yml"), "utf8");
    expect(checks).toContain(`image: node:${found[0].currentValue}-bookworm`);
  });

  it("groups the Pulumi packages with the CLI, and image patches together", () => {
    const pulumi = config.packageRules.find((rule) => rule.groupName === "Pulumi");
    expect(pulumi?.matchPackageNames).toEqual(expect.arrayContaining(["@pulumi/**", "pulumi/pulumi"]));
    expect(
      config.packageRules.some((rule) => rule.matchFileNames?.includes("settings/images.ts") && rule.groupName),
    ).toBe(true);
  });
});
