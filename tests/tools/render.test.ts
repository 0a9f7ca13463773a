import * as fs from "fs";
import * as path from "path";
import { parseArguments, RENDER_MARKER, renderStack } from "../../scripts/render";
import { renderAll } from "../../stack/files";
import { ALL_SECRET_NAMES, PLACEHOLDER_BCRYPT_HASH, placeholderSecrets } from "../../settings";
import { PROJECT_DIR, stackSettings } from "../helpers/stacks";
import { describeWithTools, run, tempDir, toolPath } from "../helpers/tools";

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe("render CLI arguments", () => {
  it("reads --stack and --out", () => {
    expect(parseArguments(["--stack", "prod", "--out", "/tmp/x"])).toEqual({
      stack: "prod",
      out: "/tmp/x",
      projectDir: undefined,
    });
  });

  it.each([
    [["--stack", "prod"], "usage: render --stack <name> --out <dir>"],
    [["--stack"], "--stack needs a value"],
    [["--stack", "prod", "--out", "x", "--color", "red"], "unknown option --color"],
    [["prod"], 'unexpected argument "prod"'],
  ])("refuses %j", (argv, message) => {
    expect(() => parseArguments(argv)).toThrow(message);
  });
});

describe.each(["dev", "prod"])("rendering the %s stack", (stack) => {
  const out = tempDir(`render-${stack}`);
  let written: string[];
  beforeAll(() => {
    written = renderStack({ stack, out: out.dir, projectDir: PROJECT_DIR });
  });
  afterAll(() => out.remove());

  it("writes the brief's layout", () => {
    expect(listFiles(out.dir)).toEqual([...written, RENDER_MARKER].sort());
    expect(written).toContain("prometheus/prometheus.yml");
  });

  it("writes placeholders, never secret values, and keeps secret files private", () => {
    for (const file of written) {
      const content = fs.readFileSync(path.join(out.dir, file), "utf8");
      expect(content).not.toMatch(/FAKE-\w+-VALUE|hooks\.slack\.com\/services\/T/);
    }
    const secretFiles = renderAll(stackSettings(stack).settings, placeholderSecrets()).filter((f) => f.secret);
    for (const file of secretFiles) {
      expect(fs.statSync(path.join(out.dir, file.path)).mode & 0o077).toBe(0);
      // Hashes are the placeholder bcrypt hash (a web.yml must hold valid bcrypt to pass promtool check web-config).
      expect(
        ALL_SECRET_NAMES.some((name) => file.content.includes(`<secret:${name}>`)) ||
          file.content.includes(PLACEHOLDER_BCRYPT_HASH),
      ).toBe(true);
    }
  });

  it("is the same output every time (no clock, no randomness)", () => {
    const again = tempDir(`render-${stack}-again`);
    try {
      renderStack({ stack, out: again.dir, projectDir: PROJECT_DIR });
      for (const file of written)
        expect(fs.readFileSync(path.join(again.dir, file), "utf8")).toBe(
          fs.readFileSync(path.join(out.dir, file), "utf8"),
        );
    } finally {
      again.remove();
    }
  });
});

describe("--out: a new or empty folder, or one render's own", () => {
  const project = tempDir("render-out-project");
  beforeAll(() => {
    // Two versions of one stack: with further hosts (their files under hosts/) and without.
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.scale.yaml"), path.join(project.dir, "Pulumi.staging.yaml"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), path.join(project.dir, "Pulumi.dev.yaml"));
  });
  afterAll(() => project.remove());

  it("refuses a non-empty folder no render wrote, writing nothing, and says what to do", () => {
    const out = tempDir("render-used");
    try {
      fs.writeFileSync(path.join(out.dir, "notes.txt"), "mine");
      expect(() => renderStack({ stack: "dev", out: out.dir, projectDir: project.dir })).toThrow(
        `--out ${out.dir} is not empty and no render wrote it (no ${RENDER_MARKER}; it holds notes.txt): render writes only into a new or empty folder, or over its own earlier output. Choose another folder, or empty this one`,
      );
      expect(listFiles(out.dir)).toEqual(["notes.txt"]);
    } finally {
      out.remove();
    }
  });

  it("renders again over its own output and leaves no stale file of the earlier render", () => {
    const out = tempDir("render-again");
    try {
      const big = renderStack({ stack: "staging", out: out.dir, projectDir: project.dir });
      expect(big.some((f) => f.startsWith("hosts/"))).toBe(true);
      const small = renderStack({ stack: "dev", out: out.dir, projectDir: project.dir });
      expect(listFiles(out.dir)).toEqual([...small, RENDER_MARKER].sort());
      expect(fs.existsSync(path.join(out.dir, "hosts"))).toBe(false);
      expect(JSON.parse(fs.readFileSync(path.join(out.dir, RENDER_MARKER), "utf8"))).toEqual({
        stack: "dev",
        files: small,
      });
    } finally {
      out.remove();
    }
  });

  it("refuses its own folder once someone added a file to it, and deletes nothing", () => {
    const out = tempDir("render-added");
    try {
      const first = renderStack({ stack: "dev", out: out.dir, projectDir: project.dir });
      fs.writeFileSync(path.join(out.dir, "prometheus", "extra.yml"), "mine");
      expect(() => renderStack({ stack: "dev", out: out.dir, projectDir: project.dir })).toThrow(
        "holds files the earlier render did not write (prometheus/extra.yml)",
      );
      expect(listFiles(out.dir)).toEqual([...first, RENDER_MARKER, "prometheus/extra.yml"].sort());
    } finally {
      out.remove();
    }
  });

  it("refuses a marker that is not a render's list (no path outside the folder is ever removed)", () => {
    const out = tempDir("render-marker");
    try {
      fs.writeFileSync(path.join(out.dir, RENDER_MARKER), JSON.stringify({ files: ["../../etc/passwd"] }));
      expect(() => renderStack({ stack: "dev", out: out.dir, projectDir: project.dir })).toThrow(
        `${RENDER_MARKER} is not a render's list of files`,
      );
    } finally {
      out.remove();
    }
  });
});

test("an invalid stack file writes nothing", () => {
  const project = tempDir("render-invalid");
  const out = tempDir("render-invalid-out");
  try {
    fs.writeFileSync(
      path.join(project.dir, "Pulumi.broken.yaml"),
      "config:\n  koprogo-observability:prometheus:\n    retention: 30x\n",
    );
    expect(() => renderStack({ stack: "broken", out: out.dir, projectDir: project.dir })).toThrow(
      "koprogo-observability:prometheus.retention",
    );
    expect(fs.readdirSync(out.dir)).toEqual([]);
  } finally {
    project.remove();
    out.remove();
  }
});

test("the npm script renders a stack without the Pulumi CLI", () => {
  const out = tempDir("render-npm");
  try {
    const result = run("npm", ["run", "-s", "render", "--", "--stack", "prod", "--out", out.dir], { cwd: PROJECT_DIR });
    expect(result.output).toContain("rendered");
    expect(result.status).toBe(0);
  } finally {
    out.remove();
  }
});

describeWithTools("the rendered Prometheus configuration", [toolPath("promtool")], () => {
  it.each(["dev", "prod"])("passes promtool check config for %s (rules included)", (stack) => {
    const out = tempDir(`promtool-${stack}`);
    try {
      renderStack({ stack, out: out.dir, projectDir: PROJECT_DIR });
      // prometheus.yml names the rules by their path in the container; check them at the rendered path.
      const config = path.join(out.dir, "prometheus/prometheus.yml");
      fs.writeFileSync(
        config,
        fs.readFileSync(config, "utf8").replaceAll("/etc/prometheus/", `${out.dir}/prometheus/`),
      );
      const result = run(toolPath("promtool"), ["check", "config", config]);
      expect(result.output).toContain("SUCCESS");
      expect(result.status).toBe(0);
    } finally {
      out.remove();
    }
  });
});
