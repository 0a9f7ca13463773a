import * as fs from "fs";
import * as path from "path";
import { contentHash, filesUnder, restartContainerScript, signalContainerScript, writeFileScript } from "../components/configFiles";
import { shellQuote } from "../components/host";
import { run, tempDir } from "./helpers/tools";

describe("writing a config file on the host", () => {
  const tmp = tempDir("config-files");
  afterAll(() => tmp.remove());

  it("writes stdin to the file, creating its directory, with the mode asked", () => {
    const file = path.join(tmp.dir, "prometheus/rules/api.yml");
    const result = run("sh", ["-c", writeFileScript(file, "0644")], { input: "groups: []\n" });
    expect(result).toEqual({ status: 0, output: "" });
    expect(fs.readFileSync(file, "utf8")).toBe("groups: []\n");
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
  });

  it("keeps a secret file away from other users", () => {
    const file = path.join(tmp.dir, "alertmanager/secrets/slack-webhook-url");
    expect(run("sh", ["-c", writeFileScript(file, "0640", 65534)], { input: "https://hooks.example/x" }).status).toBe(0);
    const stat = fs.statSync(file);
    expect(stat.mode & 0o777).toBe(0o640);
    expect(stat.uid).toBe(process.getuid?.() === 0 ? 65534 : stat.uid);
  });

  it("replaces the file atomically and leaves no temporary file", () => {
    const file = path.join(tmp.dir, "loki/loki.yaml");
    run("sh", ["-c", writeFileScript(file, "0644")], { input: "old" });
    run("sh", ["-c", writeFileScript(file, "0644")], { input: "new" });
    expect(fs.readFileSync(file, "utf8")).toBe("new");
    expect(fs.readdirSync(path.dirname(file))).toEqual(["loki.yaml"]);
  });

  it("survives paths with spaces and quotes", () => {
    const file = path.join(tmp.dir, "it's a dir/f.yml");
    expect(run("sh", ["-c", writeFileScript(file, "0644")], { input: "x" }).status).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toBe("x");
  });
});

describe("reload scripts", () => {
  it.each([signalContainerScript("koprogo-obs-prometheus"), restartContainerScript("koprogo-obs-loki")])("are valid shell: %s", (script) => {
    expect(run("sh", ["-n", "-c", script]).status).toBe(0);
  });

  it("do nothing when the container does not run yet (the first up creates files before containers)", () => {
    const fakeDocker = tempDir("fake-docker");
    try {
      fs.writeFileSync(path.join(fakeDocker.dir, "docker"), "#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/calls\"\n[ \"$1\" = inspect ] && exit 1\nexit 0\n", { mode: 0o755 });
      const env = { PATH: `${fakeDocker.dir}:${process.env.PATH}` };
      expect(run("sh", ["-c", signalContainerScript("c")], { env }).status).toBe(0);
      expect(run("sh", ["-c", restartContainerScript("c")], { env }).status).toBe(0);
      const calls = fs.readFileSync(path.join(fakeDocker.dir, "calls"), "utf8");
      expect(calls).not.toMatch(/^(kill|restart)/m);
    } finally {
      fakeDocker.remove();
    }
  });
});

test("a running container gets the signal and a restart", () => {
  const fakeDocker = tempDir("fake-docker-running");
  try {
    fs.writeFileSync(path.join(fakeDocker.dir, "docker"), '#!/bin/sh\necho "$@" >> "$(dirname "$0")/calls"\n[ "$1" = inspect ] && echo true\nexit 0\n', { mode: 0o755 });
    const env = { PATH: `${fakeDocker.dir}:${process.env.PATH}` };
    run("sh", ["-c", signalContainerScript("koprogo-obs-prometheus")], { env });
    run("sh", ["-c", restartContainerScript("koprogo-obs-loki")], { env });
    const calls = fs.readFileSync(path.join(fakeDocker.dir, "calls"), "utf8");
    expect(calls).toContain("kill --signal=HUP koprogo-obs-prometheus");
    expect(calls).toContain("restart koprogo-obs-loki");
  } finally {
    fakeDocker.remove();
  }
});

test("shellQuote round-trips through sh", () => {
  const value = `a'b"c $HOME \`x\``;
  expect(run("sh", ["-c", `printf %s ${shellQuote(value)}`]).output).toBe(value);
});

test("contentHash is stable and content-sensitive", () => {
  expect(contentHash("a")).toBe(contentHash("a"));
  expect(contentHash("a")).not.toBe(contentHash("b"));
});

test("filesUnder keeps a service's own directory only", () => {
  const files = [{ path: "prometheus/prometheus.yml" }, { path: "prometheus-extra/x" }, { path: "loki/loki.yaml" }];
  expect(filesUnder(files, "prometheus")).toEqual([{ path: "prometheus/prometheus.yml" }]);
});
