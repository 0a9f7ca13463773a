/**
 * The SSH access of the host commands: the host key is required whenever the host is reached over SSH, and must
 * be a real OpenSSH public key line, checked with keys `ssh-keygen` makes here.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { hostAccessFor } from "../../components/host";
import { parseStackConfig, StackConfigError, type Settings } from "../../settings";
import { isOpenSshPublicKey } from "../../settings/deployment";
import { describeWithTools, run, tempDir } from "../helpers/tools";
import { installPulumiMocks, promiseOf } from "../helpers/pulumiMocks";

installPulumiMocks();

/** What a staging stack needs besides the keys under test (staging refuses to run without a dead man's switch). */
const STAGING_BASE = {
  postgresExporter: { manageRole: true },
  grafana: { apiUrl: "http://127.0.0.1:3001" },
  notifications: { watchdog: { kind: "webhook", url: "https://hc-ping.example/check" } },
};

function problemsOf(values: Record<string, unknown>): string[] {
  try {
    parseStackConfig("staging", { ...STAGING_BASE, ...values }, new Set());
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  return [];
}

function settingsOf(values: Record<string, unknown>): Settings {
  return parseStackConfig("staging", { ...STAGING_BASE, ...values }, new Set()).settings;
}

describeWithTools("host keys", ["ssh-keygen"], () => {
  const tmp = tempDir("host-keys");
  const keys: Record<string, string> = {};
  beforeAll(() => {
    for (const type of ["ed25519", "ecdsa", "rsa"]) {
      const file = path.join(tmp.dir, type);
      expect(run("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "root@vps", "-f", file]).status).toBe(0);
      keys[type] = fs.readFileSync(`${file}.pub`, "utf8").trim();
    }
  });
  afterAll(() => tmp.remove());

  it("accepts the key lines OpenSSH writes, with or without their comment", () => {
    for (const line of Object.values(keys)) {
      expect(isOpenSshPublicKey(line)).toBe(true);
      expect(isOpenSshPublicKey(line.split(" ").slice(0, 2).join(" "))).toBe(true);
    }
  });

  it.each([
    ["a host name left in front (raw ssh-keyscan output)", (k: string) => `vps.koprogo.com ${k}`],
    ["a truncated key", (k: string) => k.slice(0, 40)],
    ["a key whose type does not match its blob", (k: string) => k.replace(/^ssh-ed25519/, "ssh-rsa")],
    ["a fingerprint instead of the key", () => "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"],
    ["an empty value", () => ""],
  ])("refuses %s", (_case, make) => {
    const value = make(keys.ed25519);
    expect(isOpenSshPublicKey(value)).toBe(false);
    expect(problemsOf({ docker: { host: "ssh://deploy@vps.example.com" }, ssh: { hostKey: value } })).toEqual([
      expect.stringMatching(
        /^koprogo-observability:ssh\.hostKey: must be the host's public key as `ssh-keyscan -t ed25519 <host>/,
      ),
    ]);
  });

  it("keeps the key without its comment, and puts it in every connection with the deploy user", async () => {
    const settings = settingsOf({
      docker: { host: "ssh://deploy@vps.example.com:2222" },
      ssh: { hostKey: keys.ed25519 },
    });
    expect(settings.ssh?.hostKey).toBe(keys.ed25519.split(" ").slice(0, 2).join(" "));
    const access = hostAccessFor(settings, {});
    expect(access.kind).toBe("ssh");
    if (access.kind !== "ssh") return;
    expect(access.root).toBe("sudo");
    expect(await promiseOf(pulumi.output(access.connection))).toEqual({
      host: "vps.example.com",
      user: "deploy",
      port: 2222,
      hostKey: settings.ssh?.hostKey,
    });
  });

  it("runs as is for a root SSH user, and lets `ssh` override what the Docker host names", () => {
    const access = hostAccessFor(
      settingsOf({
        docker: { host: "ssh://deploy@vps.example.com" },
        ssh: { user: "root", host: "10.0.0.2", hostKey: keys.ecdsa },
      }),
      {},
    );
    expect(access.kind === "ssh" && access.root).toBe("root");
  });
});

describe("a remote host without its key", () => {
  it("is refused, naming the key and how to get it", () => {
    expect(problemsOf({ docker: { host: "ssh://deploy@vps.example.com" } })).toEqual([
      expect.stringMatching(
        /^koprogo-observability:ssh\.hostKey: is required: the commands reach deploy@vps\.example\.com:22 over SSH .*ssh-keyscan -t ed25519 -p 22 vps\.example\.com/,
      ),
    ]);
  });

  it("is refused too when only `ssh` names the host", () => {
    expect(problemsOf({ ssh: { host: "vps.example.com" } })).toEqual([
      expect.stringMatching(/^koprogo-observability:ssh\.hostKey: is required/),
    ]);
  });

  it("is refused when `ssh` has no host and the Docker engine names none", () => {
    expect(problemsOf({ ssh: { user: "deploy" } })).toEqual([
      expect.stringMatching(/^koprogo-observability:ssh\.host: is required/),
    ]);
  });

  it("is not asked for a local engine", () => {
    expect(problemsOf({})).toEqual([]);
    expect(hostAccessFor(settingsOf({}), {})).toEqual({
      kind: "local",
      root: "detect",
      docker: "docker -H 'unix:///var/run/docker.sock'",
    });
  });
});
