/**
 * The fresh-root CI run's plan (toolchain/freshRootPlan.ts): the base is minbase plus a short list, the run is CI's
 * (root, CI=true, no stdin, a plain environment, `.ci/run` of a clone), the tool cache is bound only when asked,
 * and the closing count is read the way CI reads it.
 */
import {
  ciCounts,
  ciEnvironment,
  CLONE_DIR,
  debootstrapArgs,
  freshRootScript,
  FRESH_ROOT_PACKAGES,
  ROOT_TOOL_CACHE,
  SHARED_DIR,
} from "../../toolchain/freshRootPlan";

const run = {
  base: "/cache/fresh-root/bookworm",
  runDir: "/var/tmp/koprogo-fresh-root-abc",
  repo: "/work/main",
  shared: "/work/shared",
  toolCache: "/root/.cache/koprogo-observability/tools",
  machineImageFiles: ["/usr/bin/node", "/usr/local/go"],
  environment: { NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/ca-certificates.crt" },
};

describe("freshRootScript", () => {
  const script = freshRootScript(run);

  it("mounts an overlay whose lower layer is the cached base and whose upper layer is the run's own", () => {
    expect(script).toContain(
      "mount -t overlay overlay -o 'lowerdir=/cache/fresh-root/bookworm,upperdir=/var/tmp/koprogo-fresh-root-abc/upper,workdir=/var/tmp/koprogo-fresh-root-abc/work' '/var/tmp/koprogo-fresh-root-abc/root'",
    );
  });

  it("copies the machine image's tools in rather than binding them, so the run cannot write to this machine's", () => {
    expect(script).toContain("cp -aT '/usr/bin/node' '/var/tmp/koprogo-fresh-root-abc/root/usr/bin/node'");
    expect(script).not.toMatch(/mount --bind '\/usr/);
  });

  it("clones the committed repository, lays shared/ beside it read-only, and runs .ci/run as CI does", () => {
    expect(script).toContain(
      `git clone -q --no-hardlinks '/work/main' '/var/tmp/koprogo-fresh-root-abc/root${CLONE_DIR}'`,
    );
    expect(script).toContain(`chmod -R a-w '/var/tmp/koprogo-fresh-root-abc/root${SHARED_DIR}'`);
    expect(script).toMatch(
      /exec chroot '\/var\/tmp\/koprogo-fresh-root-abc\/root' \/usr\/bin\/env -i HOME=\/root .*CI=true/,
    );
    expect(script.trimEnd().split("\n").pop()).toContain("exec bash .ci/run </dev/null");
  });

  it("binds the per-machine tool cache only when given, and a cold run has none", () => {
    expect(script).toContain(
      `mount --bind '${run.toolCache}' '/var/tmp/koprogo-fresh-root-abc/root${ROOT_TOOL_CACHE}'`,
    );
    expect(freshRootScript({ ...run, toolCache: undefined })).not.toContain(ROOT_TOOL_CACHE);
  });

  it("quotes every path, so a hostile folder name stays one word", () => {
    const hostile = freshRootScript({ ...run, repo: "/tmp/x'; rm -rf / #" });
    expect(hostile).toContain(`git clone -q --no-hardlinks '/tmp/x'\\''; rm -rf / #'`);
  });
});

describe("ciEnvironment", () => {
  it("keeps the machine's CA and registry settings and nothing a session may have set", () => {
    expect(
      ciEnvironment({
        NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/ca-certificates.crt",
        PIP_CERT: "/etc/ssl/certs/ca-certificates.crt",
        GOFLAGS: "-buildvcs=false",
        DOCKER_HOST: "unix:///tmp/x.sock",
        KOPROGO_TOOLS_DIR: "/tmp/tools",
        ANTHROPIC_API_KEY: "secret",
        PATH: "/somewhere",
      }),
    ).toEqual({
      GOFLAGS: "-buildvcs=false",
      NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/ca-certificates.crt",
      PIP_CERT: "/etc/ssl/certs/ca-certificates.crt",
    });
  });

  it("passes the kept variables quoted to .ci/run", () => {
    expect(freshRootScript(run)).toContain(
      "CI=true LANG=C.UTF-8 NODE_EXTRA_CA_CERTS='/etc/ssl/certs/ca-certificates.crt' PATH=",
    );
  });
});

describe("debootstrapArgs", () => {
  it("asks for bookworm minbase with the base packages, from the given archive and keyring", () => {
    expect(debootstrapArgs("/t", "http://archive.example.org/debian", "/k.gpg")).toEqual([
      "--variant=minbase",
      `--include=${FRESH_ROOT_PACKAGES.join(",")}`,
      "--keyring=/k.gpg",
      "bookworm",
      "/t",
      "http://archive.example.org/debian",
    ]);
  });
});

describe("ciCounts", () => {
  it("reads the last `N passed, N failed` line, with or without a leading word and skipped count", () => {
    expect(ciCounts("x\n3 passed, 1 failed\nmore\n2000 passed, 0 failed\n")).toEqual({ passed: 2000, failed: 0 });
    expect(ciCounts("tests: 5 passed, 2 failed, 1 skipped")).toEqual({ passed: 5, failed: 2 });
  });

  it("is undefined when .ci/run printed no count (CI would judge it by its exit code alone)", () => {
    expect(ciCounts("npm ERR! something\n")).toBeUndefined();
  });
});
