/**
 * The documentation says what the code does: its generated parts are the generators' output (`npm run docs`),
 * the README stays a ten-minute read, every relative link and every page or section named in words resolves (in
 * the docs, runbooks, stack files and the code's comments), the figures quoted are the benchmark's, and every command of a `sh` block names
 * things that exist (npm scripts, stacks, config keys, secrets, stack outputs, test files, the policy pack).
 */
import * as fs from "fs";
import * as path from "path";
import { generatedDocs } from "../../scripts/docs/generatedDocs";
import { referenceRows, settingsJsonSchema } from "../../scripts/docs/configurationReference";
import { SECRET_NAMES } from "../../settings";
import { prodCostTables, type ProdCost } from "../../bench/cost";
import { benchFigures, benchmarksMismatches, type BenchFigures } from "../../bench/figures";
import { footprintTables, type FootprintSide } from "../../bench/footprint";
import { hostCostTables, type HostCostRow } from "../../bench/hosts";
import { notifyTable, type NotifyRow } from "../../bench/notify";
import { sloPagingFigures, sloPagingSection } from "../../bench/slo";
import { probeCostFigures, probeCostSection, type ProbeCost } from "../../bench/probes";
import type { SloPagingOutcome } from "../../e2e/sloPaging";
import { readBenchFigures } from "../../scripts/docs/benchFigures";
import { anchorsOf, documentationFiles, pageReferences, referenceProblem, referringFiles } from "../helpers/docs";
import { PROJECT_DIR } from "../helpers/stacks";

const README_MAX_BYTES = 12 * 1024;

/**
 * Pages other branches write, linked from the README before they land. Each entry fails the test once the page
 * exists, so the list empties itself as the branches merge.
 */
const PAGES_WRITTEN_ELSEWHERE: string[] = [];

/** Programs a documented command may start with; a new one is added here on purpose, with what to check of it. */
const KNOWN_PROGRAMS = new Set([
  "npm",
  "npx",
  "pulumi",
  "bash",
  "export",
  "ssh",
  "ssh-keygen",
  "ssh-keyscan",
  "sudo",
  "ufw",
  "echo",
]);

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const files = documentationFiles();

describe("the generated documentation", () => {
  it.each(generatedDocs(PROJECT_DIR).map((doc) => [doc.file, doc]))("%s is what `npm run docs` writes", (_, doc) => {
    expect(read(doc.file)).toBe(doc.content);
  });
});

describe("the README", () => {
  it(`is at most ${README_MAX_BYTES / 1024} KB: a ten-minute read, the detail in docs/`, () => {
    expect(Buffer.byteLength(read("README.md"))).toBeLessThanOrEqual(README_MAX_BYTES);
  });

  it("links every page of docs/", () => {
    const readme = read("README.md");
    for (const page of files.filter((f) => f.startsWith("docs/")))
      expect([page, readme.includes(`](${page}`)]).toEqual([page, true]);
  });
});

/** The relative links of a Markdown file (outside code blocks): target file and optional anchor. */
function relativeLinks(markdown: string): { target: string; anchor?: string }[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((href) => !/^[a-z]+:/.test(href))
    .map((href) => {
      const [target, anchor] = href.split("#");
      return { target, anchor };
    });
}

/** Markdown read during work or incidents beside docs/: the runbooks, the benchmark report. */
const otherMarkdown = referringFiles().filter((f) => f.endsWith(".md") && !files.includes(f));

describe.each([...files, ...otherMarkdown])("the links of %s", (file) => {
  const markdown = read(file);

  it("resolve: the file, and the heading of an anchor", () => {
    const broken: string[] = [];
    for (const { target, anchor } of relativeLinks(markdown)) {
      const resolved = target === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
      if (PAGES_WRITTEN_ELSEWHERE.includes(resolved)) continue;
      const full = path.join(PROJECT_DIR, resolved);
      if (!fs.existsSync(full)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (anchor && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(full, "utf8")).has(anchor))
        broken.push(`${target}#${anchor}: no such heading`);
    }
    expect(broken).toEqual([]);
  });
});

describe("pages and sections named in words", () => {
  it('resolve everywhere: README "X", docs/page.md "X", the "X" section of README, docs/page.md', () => {
    const problems = referringFiles().flatMap((file) =>
      pageReferences(read(file))
        .map(referenceProblem)
        .filter((p) => p !== undefined)
        .map((p) => `${file}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it.each([
    ['see README "Secrets"', 'README.md "Secrets": no such heading'],
    [
      '(docs/operator/deploying.md, "Prepare the Host")',
      'docs/operator/deploying.md "Prepare the Host": no such heading',
    ],
    ['the "Logs" section of README', 'README.md "Logs": no such heading'],
    ["the sudo rule of docs/deployment.md", "docs/deployment.md: no such page"],
  ])("catch a wrong one: %s", (text, expected) => {
    expect(pageReferences(text).map(referenceProblem)).toEqual([expected]);
  });

  it("accept the right ones", () => {
    const text =
      'README "Deploying"; docs/operator/deploying.md, "Prepare the VPS"; the "Tests" section of README; docs/operator/logs.md';
    expect(pageReferences(text)).toHaveLength(5); // the named page is also a path
    expect(
      pageReferences(text)
        .map(referenceProblem)
        .filter((p) => p !== undefined),
    ).toEqual([]);
  });
});

describe("the measured figures", () => {
  const figures = readBenchFigures(PROJECT_DIR);

  it("BENCHMARKS.json is the run BENCHMARKS.md reports (npm run bench writes both)", () => {
    expect(benchmarksMismatches(figures, read("BENCHMARKS.md"))).toEqual([]);
  });

  it("a figure that differs from the report is caught", () => {
    const edited: BenchFigures = { ...figures, prodProfile: { ...figures.prodProfile, prometheusRssMiB: 60 } };
    expect(benchmarksMismatches(edited, read("BENCHMARKS.md"))).toEqual(["| Prometheus resident memory | 60.0 MiB |"]);
  });

  it("are what the report's tables print, from the same measurements (what `npm run bench` writes)", () => {
    const cost: ProdCost = {
      scrapeInterval: "3s",
      evaluationInterval: "2s",
      warmupSeconds: 120,
      windowSeconds: 600,
      headSeries: 1234,
      samplesPerSecond: 401.37,
      rssMiB: 101.26,
      cpuCores: 0.009,
      block: { samples: 250_000, chunkBytes: 650_000, indexBytes: 140_000 },
      memoryLimitMiB: 256,
      retentionSize: "8GB",
      retention: "30d",
    };
    const side = (rss: number): FootprintSide => ({
      label: "product",
      headSeries: 1000,
      seriesByJob: { node: 200 },
      rss: { prometheus: rss, alertmanager: 37.96, "node exporter": 20.04, "postgres exporter": 18.55 },
      missingMetrics: [],
    });
    const notify = (profile: string, alert: string, ratios: number[]): NotifyRow => ({
      profile,
      alert,
      forSeconds: 60,
      seconds: ratios.map((r) => r * 60),
      ratios,
    });
    const rows = [
      notify("prodTuned", "ApiDown", [1.0213, 1.0789]),
      notify("prodTuned", "DatabaseDown", [1.1, 1.13449]),
      notify("projectDefaults", "ApiDown", [1.3, 1.40712]),
      notify("projectDefaults", "DatabaseDown", [1.5, 1.7566]),
    ];
    const host = (hosts: number, headSeries: number, samples: number, rss: number): HostCostRow => ({
      hosts,
      headSeries,
      seriesPerHost: 168,
      samplesPerSecond: samples,
      prometheusRssMiB: rss,
      prometheusCpuCores: 0.008 + hosts * 0.0007,
      exporterRssMiB: 21.66,
    });
    const hosts = [host(1, 488, 164.2, 89.1), host(10, 2049, 680.4, 92.6)];
    const date = "2026-12-07T01:00:00.000Z";
    const slo: SloPagingOutcome[] = [
      {
        name: "outage",
        errorRatio: 1,
        watchedMs: 56_210,
        pagedAfterMs: 56_210,
        pagerAlerts: ["ApiErrorBudgetBurnFast"],
        burn5m: 900,
        burn1h: 16.1,
        prometheusRssMiB: 80,
      },
      {
        name: "errors-2pct",
        errorRatio: 0.02,
        watchedMs: 2_650_000,
        pagedAfterMs: 2_650_000,
        ticketAfterMs: 1_200_000,
        pagerAlerts: ["ApiErrorBudgetBurnFast"],
        burn5m: 20,
        burn1h: 14.41,
        prometheusRssMiB: 91.26,
      },
      {
        name: "errors-0.1pct",
        errorRatio: 0.001,
        watchedMs: 3_600_400,
        pagerAlerts: [],
        burn5m: 1.1,
        burn1h: 0.996,
        prometheusRssMiB: 90,
      },
    ];
    const sloFigures = sloPagingFigures(date, slo);
    const probes: ProbeCost = {
      minutes: 10,
      targets: 2,
      probes: 40,
      rssMiB: 17.94,
      peakMiB: 18.31,
      memoryLimit: "32m",
      goMemLimit: "27MiB",
      series: 34,
      seriesPerTarget: 17,
    };
    const blackbox = probeCostFigures(date, probes);
    const report = [
      `- Date: ${date}`,
      `(\`Pulumi.prod.yaml\`: ${cost.scrapeInterval} scrape, ${cost.evaluationInterval} evaluation)`,
      prodCostTables(cost),
      footprintTables({ product: side(84.04), baseline: side(85) }),
      notifyTable(rows),
      hostCostTables(hosts),
      sloPagingSection(sloFigures, slo),
      probeCostSection(blackbox, probes),
    ].join("\n\n");
    const made = benchFigures({ date, cost, footprint: side(84.04), notify: rows, hosts, slo: sloFigures, blackbox });
    expect(made.sloPaging).toMatchObject({
      outagePagedSeconds: 56.2,
      errors2pctPagedMinutes: 44.2,
      errors01pctPages: 0,
    });
    expect(benchmarksMismatches(made, report)).toEqual([]);
    expect(made.footprintRssMiB).toEqual({
      prometheus: 84,
      alertmanager: 38,
      nodeExporter: 20,
      postgresExporter: 18.6,
    });
  });

  it("no page is left with a TO FILL marker", () => {
    const marked = referringFiles().filter((f) => /TO FILL/.test(read(f)) && f !== "tests/unit/docs.test.ts");
    expect(marked).toEqual([]);
  });
});

describe("the pages written on other branches", () => {
  it("are none now that every branch has landed its page (add one here before linking it from the README)", () => {
    expect(PAGES_WRITTEN_ELSEWHERE.filter((page) => fs.existsSync(path.join(PROJECT_DIR, page)))).toEqual([]);
  });
});

/** The commands of every `sh` block: comments dropped, continued lines joined. */
function shCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((block) =>
    block
      .replace(/\\\n/g, " ")
      .split("\n")
      .map((line) => line.replace(/(^|\s)#.*$/, "").trim())
      .filter((line) => line !== ""),
  );
}

const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);
const configKeys = new Set([...referenceRows(settingsJsonSchema(), new Map()).map((r) => r.key), ...SECRET_NAMES]);
const stackOutputs = new Set([...read("index.ts").matchAll(/^export const (\w+)/gm)].map((m) => m[1]));
const stackExists = (name: string) => fs.existsSync(path.join(PROJECT_DIR, `Pulumi.${name}.yaml`));

/** What is wrong with one documented command; empty when every name in it exists. */
function commandProblems(command: string): string[] {
  const words = command.split(/\s+/);
  const problems: string[] = [];
  const program = words[0];
  if (!KNOWN_PROGRAMS.has(program)) problems.push(`\`${program}\` is not a program the docs may use (KNOWN_PROGRAMS)`);
  const flag = (name: string) => {
    const i = words.indexOf(name);
    return i >= 0 ? words[i + 1] : undefined;
  };
  const stack = flag("--stack");
  if (stack && !stackExists(stack)) problems.push(`stack ${stack} has no Pulumi.${stack}.yaml`);
  const pack = flag("--policy-pack");
  if (pack && !fs.existsSync(path.join(PROJECT_DIR, pack, "PulumiPolicy.yaml")))
    problems.push(`policy pack ${pack} does not exist`);
  if (program === "npm" && words[1] === "run" && !scripts.includes(words[2]))
    problems.push(`npm script ${words[2]} is not in package.json`);
  if (program === "npm" && !["run", "test", "ci"].includes(words[1]))
    problems.push(`npm ${words[1]} is not a command the project documents`);
  if (program === "npx" && words[1] === "jest") {
    for (const file of words.slice(2).filter((w) => !w.startsWith("-")))
      if (!fs.existsSync(path.join(PROJECT_DIR, file))) problems.push(`test file ${file} does not exist`);
  }
  if (program === "bash" && !fs.existsSync(path.join(PROJECT_DIR, words[1])))
    problems.push(`script ${words[1]} does not exist`);
  if (program === "pulumi" && words[1] === "config" && words[2] === "set") {
    const key = words
      .slice(3)
      .filter((w, i, all) => !w.startsWith("-") && all[i - 1] !== "--stack")[0]
      ?.replace(/^'|'$/g, "");
    if (!key || !configKeys.has(key)) problems.push(`config key ${key} is not in the settings schema nor a secret`);
  }
  if (program === "pulumi" && words[1] === "stack" && words[2] === "output") {
    const name = words.slice(3).filter((w, i, all) => !w.startsWith("-") && all[i - 1] !== "--stack")[0];
    if (name && !stackOutputs.has(name)) problems.push(`stack output ${name} is not exported by index.ts`);
  }
  if (program === "pulumi" && words[1] === "stack" && ["init", "select"].includes(words[2]) && !stackExists(words[3]))
    problems.push(`stack ${words[3]} has no Pulumi.${words[3]}.yaml`);
  return problems;
}

describe("the commands of the documentation", () => {
  const commands = files.flatMap((file) => shCommands(read(file)).map((command) => ({ file, command })));

  it("are found in the README and docs/", () => {
    expect(commands.filter((c) => c.file === "README.md").length).toBeGreaterThan(5);
    expect(commands.length).toBeGreaterThan(30);
  });

  it("name only scripts, stacks, config keys, secrets, outputs and files that exist", () => {
    const problems = commands.flatMap(({ file, command }) =>
      commandProblems(command).map((p) => `${file}: ${command}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it.each([
    ["npm run deploy", "npm script deploy"],
    ["pulumi config set prometheus.retentoin 15d", "config key prometheus.retentoin"],
    ["pulumi config set --secret slackWebhookUrll x", "config key slackWebhookUrll"],
    ["npm run render -- --stack qa --out out/qa", "stack qa"],
    ["npx jest tests/nothing.test.ts", "test file tests/nothing.test.ts"],
    ["pulumi stack output --show-secrets adminPassword", "stack output adminPassword"],
    ["curl http://x", "`curl`"],
  ])("catch a wrong name: %s", (command, expected) => {
    expect(commandProblems(command).join("\n")).toContain(expected);
  });

  it("accept the right ones", () => {
    expect(commandProblems("pulumi config set --stack prod --secret grafanaAdminPassword '...'")).toEqual([]);
    expect(commandProblems("pulumi config set --path prometheus.retention 15d")).toEqual([]);
  });
});
