/**
 * The one place that says which version of each tool the tests run and which version the stack deploys.
 *
 * `deployed` is read from where the stack pins it (`settings/images.ts` for containers, the security settings'
 * defaults for the host agents), never typed twice. `fetch` says where the tests get the tool (`toolchain/sources.ts`):
 * - `kind: "go"`: the Go module at the deployed version, built here from the Go module proxy the way upstream's
 *   release builds it (`toolchain/goBuild.ts`), for services whose deployed artifact is upstream's Go build;
 * - `kind: "debian"`: a suite of the Debian archive the machine already uses (the same source, another suite),
 *   downloaded with `apt-get download` and unpacked with `dpkg-deb -x` (`toolchain/fetch.ts`), for what Debian
 *   ships as the deployed artifact; the installed system is untouched.
 * Both land in the tool cache (`toolchain/cache.ts`). `allowedDrift` is the written reason when the tested version
 * may differ from the deployed one (exactly for a Go build, major.minor for a Debian package); without it
 * `npm run versions` fails on any such difference.
 */
import { IMAGES, imageTag } from "../settings/images";
import { fail2banSettings, suricataSettings } from "../settings/security";
import packageJson from "../package.json";
import { promuLdflags } from "./goModule";
import { goBinaries, prometheusModuleVersion, type GoSource, type GoStamp, type ToolSource } from "./sources";

/** The @pulumi/pulumi release the program is written against: the Pulumi CLI must be the same release. */
const PULUMI_SDK_VERSION = packageJson.dependencies["@pulumi/pulumi"];
const PULUMI_PROGRAMS = { pulumi: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi" } as const;
/** What the Go module proxy these machines reach answers for a module it will not serve. */
const PROXY_REFUSAL = "the Go module proxy refuses it: `403 Forbidden: This module version is not available`";

export type { DebianSource, GoSource, ToolSource } from "./sources";

export interface ToolVersion {
  /** What the stack deploys, as written where it is pinned (an image tag or a Debian version). */
  readonly deployed: string;
  /** Where that pin lives, for the report. */
  readonly deployedFrom: string;
  /** Where the tests get it: a Debian package, or a Go module built at the deployed version. */
  readonly fetch: ToolSource;
  /** Executables the tests call, relative to the root (`goBinaries(programs)` for a Go source). */
  readonly binaries: Readonly<Record<string, string>>;
  /**
   * Why a different version is acceptable for this tool, or absent when it must match: the major.minor for a Debian
   * package (Debian's archive has the release line, not every patch), the exact version for a Go build.
   */
  readonly allowedDrift?: string;
}

/** fail2ban is Python: `usr/bin/fail2ban-*` of the unpacked package, run with `PYTHONPATH` into it (tests/helpers/fail2ban.ts). */
const FAIL2BAN_SCRIPTS = {
  client: "usr/bin/fail2ban-client",
  regex: "usr/bin/fail2ban-regex",
  server: "usr/bin/fail2ban-server",
} as const;

/** The deployed fail2ban: the default of `security.fail2ban.version`. */
const FAIL2BAN_DEPLOYED = {
  deployed: fail2banSettings.parse({}).version,
  deployedFrom: "settings/security.ts security.fail2ban.version (default)",
} as const;

/** `fail2ban-client`, `-regex` and `-server` of one unpacked release, named with `suffix` beside another. */
function fail2banBinaries<const S extends string>(
  suffix: S,
): Record<`fail2ban-${keyof typeof FAIL2BAN_SCRIPTS}${S}`, string> {
  return Object.fromEntries(
    Object.entries(FAIL2BAN_SCRIPTS).map(([name, script]) => [`fail2ban-${name}${suffix}`, script]),
  ) as Record<`fail2ban-${keyof typeof FAIL2BAN_SCRIPTS}${S}`, string>;
}

/**
 * Prometheus and promtool as upstream's release builds them (`.promu.yml` of the module: tags `netgo` and
 * `builtinassets`, promu's `-X` stamping; `Makefile` target `assets-compress`), with the web UI built from the
 * module's `web/ui` by npm from its lockfile and embedded by the `builtinassets` tag: the steps of upstream's
 * `build_ui.sh` for the PromQL modules (lezer, then codemirror) and the Mantine UI, moved to `static/mantine-ui`,
 * then `scripts/compress_assets.sh` (gzips `static/` and writes `embed.go`).
 * The old React UI (`static/react-app`, served only with `--enable-feature=old-ui`) is not built: it imports
 * `src/vendor/flot`, and Go module zips leave out every `vendor/` folder, so its build fails from the module
 * ("Can't resolve '../../vendor/flot/jquery.flot'"). The default UI, the one the stack serves, is upstream's.
 */
const PROMETHEUS = {
  kind: "go",
  module: "github.com/prometheus/prometheus",
  version: prometheusModuleVersion(imageTag(IMAGES.prometheus)),
  programs: {
    prometheus: "github.com/prometheus/prometheus/cmd/prometheus",
    promtool: "github.com/prometheus/prometheus/cmd/promtool",
  },
  replace: { "github.com/fsnotify/fsnotify v1.8.0": "github.com/fsnotify/fsnotify v1.7.0" },
  exclude: [
    "github.com/linode/linodego v1.0.0",
    "github.com/grpc-ecosystem/grpc-gateway v1.14.7",
    "google.golang.org/api v0.30.0",
  ],
  tags: ["netgo", "builtinassets"],
  ldflags: promuLdflags,
  prepare: [
    { cwd: "web/ui", argv: ["npm", "ci", "--no-audit", "--no-fund"] },
    ...["lezer-promql", "codemirror-promql", "mantine-ui"].map((workspace) => ({
      cwd: "web/ui",
      argv: ["npm", "run", "build", "-w", `@prometheus-io/${workspace}`],
    })),
    { cwd: "web/ui", argv: ["mkdir", "-p", "static"] },
    { cwd: "web/ui", argv: ["mv", "mantine-ui/dist", "static/mantine-ui"] },
    { cwd: ".", argv: ["bash", "scripts/compress_assets.sh"] },
  ],
} as const satisfies GoSource;

/** Alertmanager and amtool (`.promu.yml`: tag `netgo`); its templates and UI are in the module (`asset/assets_vfsdata.go`). */
const ALERTMANAGER = {
  kind: "go",
  module: "github.com/prometheus/alertmanager",
  version: imageTag(IMAGES.alertmanager),
  programs: {
    alertmanager: "github.com/prometheus/alertmanager/cmd/alertmanager",
    amtool: "github.com/prometheus/alertmanager/cmd/amtool",
  },
  tags: ["netgo"],
  ldflags: promuLdflags,
} as const satisfies GoSource;

/**
 * An exporter of the Prometheus projects as its release builds it (`.promu.yml`: no build tags, no cgo on Linux,
 * promu's `-X` stamping; no replace lines), at the tag of its image's pin.
 */
function promuExporter<const P extends Readonly<Record<string, string>>>(
  image: "nodeExporter" | "postgresExporter" | "blackboxExporter",
  module: string,
  programs: P,
) {
  return {
    kind: "go",
    module,
    version: imageTag(IMAGES[image]),
    programs,
    ldflags: promuLdflags,
  } as const satisfies GoSource;
}

/** The node exporter (`.promu-cgo.yml` is for the BSDs and macOS). */
const NODE_EXPORTER = promuExporter("nodeExporter", "github.com/prometheus/node_exporter", {
  node_exporter: "github.com/prometheus/node_exporter",
});

const POSTGRES_EXPORTER = promuExporter("postgresExporter", "github.com/prometheus-community/postgres_exporter", {
  postgres_exporter: "github.com/prometheus-community/postgres_exporter/cmd/postgres_exporter",
});

/**
 * Traefik's release stamping (`.goreleaser.yml.tmpl`: `-s -w`, Version, Codename from the release workflow's
 * `CODENAME`, BuildDate as goreleaser's RFC 3339 `.Date`), what `traefik version` prints.
 */
export function traefikLdflags(codename: string): (stamp: GoStamp) => readonly string[] {
  const pkg = "github.com/traefik/traefik/v3/pkg/version";
  return (stamp) => [
    "-s",
    "-w",
    `-X ${pkg}.Version=v${stamp.version}`,
    `-X ${pkg}.Codename=${codename}`,
    `-X ${pkg}.BuildDate=${stamp.date.toISOString().replace(/\.\d{3}Z$/, "Z")}`,
  ];
}

/**
 * The application's Traefik (KoproGo runs `traefik:latest`, v3), pinned in `IMAGES.appTraefik`. Built like the
 * release (`CGO_ENABLED=0`, `-trimpath`), without the dashboard: the release embeds `webui/static`, built with yarn
 * from `webui/`, and the module zip has only its placeholder; the lab uses Traefik's metrics and access log, not
 * the dashboard.
 */
const TRAEFIK = {
  kind: "go",
  module: "github.com/traefik/traefik/v3",
  version: imageTag(IMAGES.appTraefik),
  programs: { traefik: "github.com/traefik/traefik/v3/cmd/traefik" },
  replace: {
    "github.com/abbot/go-http-auth": "github.com/containous/go-http-auth v0.4.1-0.20200324110947-a37a7636d23e",
    "github.com/gorilla/mux": "github.com/containous/mux v0.0.0-20250523120546-41b6ec3aed59",
    "github.com/mailgun/minheap": "github.com/containous/minheap v0.0.0-20190809180810-6e71eb837595",
  },
  exclude: ["github.com/tencentcloud/tencentcloud-sdk-go v3.0.83+incompatible"],
  ldflags: traefikLdflags("ramequin"),
} as const satisfies GoSource;

/** The blackbox exporter (`.promu.yml` v0.27.0). */
const BLACKBOX_EXPORTER = promuExporter("blackboxExporter", "github.com/prometheus/blackbox_exporter", {
  blackboxExporter: "github.com/prometheus/blackbox_exporter",
});

/**
 * The table entry of a tool the stack deploys as its image `image`, built from Go: the deployed version is the
 * image's tag, read from its pin in settings/images.ts.
 */
function imageTool<const B extends Readonly<Record<string, string>>>(
  image: keyof typeof IMAGES,
  fetch: GoSource,
  binaries: B,
  deployedFrom = `settings/images.ts IMAGES.${image}`,
) {
  return { deployed: imageTag(IMAGES[image]), deployedFrom, fetch, binaries };
}

export const TOOL_VERSIONS = {
  prometheus: imageTool("prometheus", PROMETHEUS, goBinaries(PROMETHEUS.programs)),
  alertmanager: imageTool("alertmanager", ALERTMANAGER, goBinaries(ALERTMANAGER.programs)),
  nodeExporter: imageTool("nodeExporter", NODE_EXPORTER, { nodeExporter: "bin/node_exporter" }),
  postgresExporter: imageTool("postgresExporter", POSTGRES_EXPORTER, { postgresExporter: "bin/postgres_exporter" }),
  /** The application's Traefik (not deployed by this program): the lab and the tests run it. */
  traefik: imageTool(
    "appTraefik",
    TRAEFIK,
    goBinaries(TRAEFIK.programs),
    "settings/images.ts IMAGES.appTraefik (the application's, not deployed here)",
  ),
  // Ubuntu 22.04 ships 6.0.4; bullseye's 6.0.1 is the same 6.0 branch (same configuration keys, rule keywords
  // and eve.json fields). Its libraries that Debian 12 lacks or has under another soname come from bullseye too
  // and are found through `toolLibraryPath` (LD_LIBRARY_PATH); glibc, libyaml, libjansson, libpcap, libmagic,
  // libcap-ng, libevent and libnss are Debian 12's, ABI-compatible with what 6.0.1 was built against.
  suricata: {
    deployed: suricataSettings.parse({}).version,
    deployedFrom: "settings/security.ts suricataSettings.version",
    fetch: {
      kind: "debian",
      package: "suricata",
      suite: "bullseye",
      with: [
        "libhtp2",
        "libhyperscan5",
        "libpcre3",
        "libbpf0",
        "libnet1",
        "libnetfilter-log1",
        "libnetfilter-queue1",
        "libhiredis0.14",
        "libmaxminddb0",
        "libluajit-5.1-2",
        "libevent-pthreads-2.1-7",
      ],
    },
    binaries: { suricata: "usr/bin/suricata" },
  },
  // Run beside 6.0, not instead of it: the rendered configuration must also be right on the 7.0 of Ubuntu 24.04
  // (7.0.3) and of Debian 12's backports, where the VPS goes next. Its libraries are Debian 12's own releases of
  // them; libhtp2 0.5.50 comes with the backport.
  suricata7: {
    deployed: suricataSettings.parse({}).version,
    deployedFrom: "settings/security.ts suricataSettings.version",
    fetch: {
      kind: "debian",
      package: "suricata",
      suite: "bookworm-backports",
      with: [
        "libhtp2",
        ...[
          "libhyperscan5",
          "libnet1",
          "libnetfilter-log1",
          "libnetfilter-queue1",
          "libhiredis0.14",
          "libmaxminddb0",
          "libluajit-5.1-2",
          "libevent-pthreads-2.1-7",
          "libxdp1",
          "libfdt1",
        ].map((name) => `${name}/bookworm`),
        ...[
          "eal",
          "ethdev",
          "mbuf",
          "mempool",
          "net-bond",
          "bus-pci",
          "bus-vdev",
          "hash",
          "ip-frag",
          "kvargs",
          "meter",
          "net",
          "pci",
          "rcu",
          "ring",
          "sched",
          "telemetry",
        ].map((name) => `librte-${name}23/bookworm`),
      ],
    },
    binaries: { suricata7: "usr/bin/suricata" },
    allowedDrift:
      "Suricata 7.0 is tested in addition to the deployed 6.0 (entry `suricata`, bullseye's 6.0.1 on its own libraries): the same rendered files must stay valid when the VPS moves to Ubuntu 24.04 (7.0.3).",
  },
  /** The deployed fail2ban: Ubuntu 22.04's 0.11.2; Debian 11 ships the same upstream release. */
  fail2ban: {
    ...FAIL2BAN_DEPLOYED,
    // With the Python it was released for: 0.11.2 imports `collections.MutableMapping`, gone since Python 3.10
    // (Ubuntu's 0.11.2-6 carries upstream's fix for its Python 3.10; the code and action files are 0.11.2's).
    fetch: {
      kind: "debian",
      package: "fail2ban",
      suite: "bullseye",
      with: ["python3.9-minimal", "libpython3.9-minimal", "libpython3.9-stdlib"],
    },
    binaries: fail2banBinaries(""),
  },
  /** The newest fail2ban the jails must also work on (hosts on Debian 13; Ubuntu 24.04 has 1.0.2, the system's). */
  fail2banNewest: {
    ...FAIL2BAN_DEPLOYED,
    fetch: { kind: "debian", package: "fail2ban", suite: "trixie" },
    binaries: fail2banBinaries("-newest"),
    allowedDrift:
      "tested beside the deployed 0.11 (entry fail2ban), not instead of it: `security.fail2ban.version` may name a newer release, and 1.1's action files differ from 0.11's",
  },
  blackboxExporter: imageTool("blackboxExporter", BLACKBOX_EXPORTER, goBinaries(BLACKBOX_EXPORTER.programs)),
  busybox: {
    // Not pinned by the stack: the `busybox:glibc` base of quay.io/prometheus/busybox, under the Prometheus,
    // Alertmanager and exporter images, whose wget runs their healthchecks (webauth/healthcheck.ts).
    deployed: "1.37.0",
    deployedFrom: "busybox:glibc base of quay.io/prometheus/busybox (prometheus/busybox glibc/Dockerfile)",
    // busybox-static: the dynamic build of trixie needs a newer glibc than this machine's.
    fetch: { kind: "debian", package: "busybox-static", suite: "trixie" },
    binaries: { busybox: "usr/bin/busybox" },
  },
  /** The log gateway (components/logGateway.ts): the official nginx image, Debian-based. */
  nginx: {
    deployed: imageTag(IMAGES.logGateway),
    deployedFrom: "settings/images.ts IMAGES.logGateway",
    // trixie's build runs on this machine's glibc and libssl3/libcrypt1 (bookworm's, the same libraries the
    // image's Debian base has); sid's needs glibc 2.38.
    fetch: { kind: "debian", package: "nginx", suite: "trixie" },
    binaries: { nginx: "usr/sbin/nginx" },
    allowedDrift:
      "no newer nginx of Debian's archive runs here (sid's 1.30 needs glibc 2.38). The gateway uses only directives unchanged since nginx 1.19 (listen ssl, ssl_protocols, auth_basic_user_file, limit_except, client_max_body_size, proxy_pass with a variable, resolver); the image's libcrypt1 (libxcrypt 4.4, bookworm) is the one the test runs against",
  },
  victoriaMetrics: {
    // Not deployed by the stack: the operator's own store. The release line the scale lane proves remote write on.
    deployed: "v1.145.0",
    deployedFrom: "docs/operator/scaling.md (the operator's own store, not deployed)",
    fetch: { kind: "debian", package: "victoria-metrics", suite: "sid" },
    binaries: { victoriaMetrics: "usr/bin/victoria-metrics" },
  },
  /**
   * The Pulumi engine CI runs (`PULUMI_VERSION` of the workflows, the release of the @pulumi/pulumi SDK): not
   * deployed on the VPS, but what deploys it. Built as upstream's `.goreleaser.yml` builds `pulumi` (dir `pkg`,
   * main `./cmd/pulumi`, `-trimpath`, tags `osusergo,grpcnotrace`, `-w -s -X .../version.Version=v<release>`,
   * CGO off). Its go.mod replaces the SDK with the repository's folder (`../sdk`): the published SDK module of the
   * same release. The module tag `pkg/v3.248.0` is upstream's commit after the release tag that only raises go.mod
   * requirements (the SDK to 3.248.0, OpenTelemetry's pdata 1.60 → 1.61, genproto); the code is the release's.
   * Its Node.js language host and the providers cannot be built here (docs/developer/lab.md).
   */
  pulumi: {
    // With the `v` of its module version and of the CLI's own `pulumi version`, as the images' tags have it.
    deployed: `v${PULUMI_SDK_VERSION}`,
    deployedFrom: "package.json @pulumi/pulumi (the workflows' PULUMI_VERSION)",
    fetch: {
      kind: "go",
      module: "github.com/pulumi/pulumi/pkg/v3",
      version: `v${PULUMI_SDK_VERSION}`,
      programs: PULUMI_PROGRAMS,
      replace: {
        "github.com/pulumi/pulumi/sdk/v3": `github.com/pulumi/pulumi/sdk/v3 v${PULUMI_SDK_VERSION}`,
        "github.com/atotto/clipboard": "github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e",
      },
      tags: ["osusergo", "grpcnotrace"],
      ldflags: (stamp) => [
        "-w",
        "-s",
        `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${stamp.version}`,
      ],
    },
    binaries: goBinaries(PULUMI_PROGRAMS),
  },
} as const satisfies Record<string, ToolVersion>;

export type ToolName = keyof typeof TOOL_VERSIONS;

/**
 * A service the stack deploys that no test can run, because no source this project's machines reach has it. It is
 * not in `TOOL_VERSIONS` (there is nothing to fetch); `npm run versions` prints it with its reason and does not fail
 * for it. Every entry says what was tried and what the tests check instead.
 */
export interface UnavailableTool {
  /** What the stack deploys, as written where it is pinned. */
  readonly deployed: string;
  /** Where that pin lives, for the report. */
  readonly deployedFrom: string;
  /** Where the deployed artifact would have been built from. */
  readonly source: string;
  /** Why it cannot be had, the exact refusal, and what the tests run instead. */
  readonly reason: string;
}

export const UNAVAILABLE_TOOLS = {
  socketProxy: {
    deployed: imageTag(IMAGES.socketProxy),
    deployedFrom: "settings/images.ts IMAGES.socketProxy",
    source: "github.com/wollomatic/socket-proxy (tag 1.12.2), main package cmd/socket-proxy",
    reason:
      "its releases are tagged `1.12.2`, without the `v` a Go module version needs, so the tag can only be reached as the pseudo-version of its commit (v0.0.0-20260609081900-08dca430b82a), and the Go module proxy these machines reach answers `403 Forbidden: This module version is not available` for every request on github.com/wollomatic/socket-proxy (@v/list, @latest, v1.12.2, the pseudo-version, the commit); Debian's archive has no socket proxy. Its container (image, socket mounted read-only into it only, networks) is checked in the resource graph (tests/unit/logs.components.test.ts); the proxy's allowlists on real Docker API requests are not exercised",
  },
  grafana: {
    deployed: imageTag(IMAGES.grafana),
    deployedFrom: "settings/images.ts IMAGES.grafana",
    // The module's go.mod says `module github.com/grafana/grafana` (no /v12), so the tag v12.1.1 could only be
    // reached as a pseudo-version of its commit; the proxy refuses the module path itself, before any version.
    source: "github.com/grafana/grafana (tag v12.1.1), main package pkg/cmd/grafana",
    reason:
      "the Go module proxy these machines reach refuses github.com/grafana/grafana and its sub-modules (`403 Forbidden: This module version is not available` for @v/list, @latest, v12.1.1, commit queries, pkg/apimachinery, pkg/promlib; the workplace's package list marks the module AGPL, not to use), and Debian's archive has no Grafana. No Grafana runs in the tests: its dashboards' PromQL queries run on the real Prometheus (tests/lab/e2e/alerting.test.ts, those whose sources the e2e stack runs), their LogQL queries are checked against Grafana's own LogQL grammar only (tests/tools/dashboards.queries.test.ts; Loki, under the same licence, is not run here either); the dashboards loading, provisioning through Grafana's API, the data sources' health checks and /api/ds/query are not exercised (docs/developer/development.md)",
  },
  loki: {
    deployed: imageTag(IMAGES.loki),
    deployedFrom: "settings/images.ts IMAGES.loki",
    source: "github.com/grafana/loki/v3 (tag v3.5.3), main packages cmd/loki and cmd/logcli",
    reason:
      "the workplace's Go package list marks github.com/grafana/loki/v3 `not-to-use` (\"none: it is under the AGPL; use something else\"), and its rule is to do as the row says: no Loki is built or run here, although the Go module proxy serves v3.5.3 (a build from it was stopped on purpose); Debian's archive has no Loki. The tests check the rendered loki.yaml as data (tests/unit/logs.loki.test.ts: schema, retention, compactor, limits, deletion_mode) and every LogQL query against Grafana's LogQL grammar (tests/unit/logs.queries.test.ts); `loki -verify-config`, ingestion, queries, retention and Loki's memory are not exercised",
  },
  alloy: {
    deployed: imageTag(IMAGES.alloy),
    deployedFrom: "settings/images.ts IMAGES.alloy",
    source: "github.com/grafana/alloy (tag v1.10.2), main package",
    reason:
      "Alloy v1.10 requires github.com/grafana/loki/v3 (its go.mod, line 71: v3.0.0-20250218135905-f078e0e3f9b6), which the workplace's Go package list marks `not-to-use` (\"none: it is under the AGPL; use something else\"), so building Alloy compiles that code: not built or run here. Besides, the Go module proxy refuses github.com/grafana/alloy v1.10.1 and v1.10.2 (`403 Forbidden: This module version is not available`; it serves v1.10.0), and its ./syntax sub-module has no published version at v1.10.x (the proxy serves syntax v0.1.0 and v0.1.1 only); Debian's archive has no Alloy. The tests check the rendered config.alloy with a parser of Alloy's syntax and run sample lines of every source through a model of its loki.process stages (tests/unit/logs.alloy.test.ts, tests/unit/logs.alloySyntax.test.ts); `alloy fmt`, `alloy run`, the file, journal and Docker sources and Alloy's memory are not exercised",
  },
  // The rest of the Pulumi engine beside the CLI (entry `pulumi`): what `npm run lab` needs (docs/developer/lab.md).
  pulumiLanguageNodejs: {
    deployed: PULUMI_SDK_VERSION,
    deployedFrom: "package.json @pulumi/pulumi (the CLI's own release)",
    source:
      "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 (a module of its own, no tag of its own: a pseudo-version of the release commit a88168d865b7), main package .",
    reason: `${PROXY_REFUSAL} for @v/list, v${PULUMI_SDK_VERSION}, the commit and its pseudo-versions. The engine runs the program without it through the Automation API's inline program (the SDK's own language runtime, --client): tried, it stops at the first provider`,
  },
  ...pulumiProviders({
    docker: [
      "github.com/pulumi/pulumi-docker/provider/v5",
      "its go.mod also replaces github.com/terraform-providers/terraform-provider-docker with ../upstream, a git submodule of kreuzwerker's provider with pulumi's patches, which no module version publishes",
    ],
    command: [
      "github.com/pulumi/pulumi-command/provider",
      "no provider/v1.2.1 tag: 404 for v1.2.1, 403 for the pseudo-versions of tag v1.2.1 (7f3eb6f3b77c)",
    ],
    random: ["github.com/pulumi/pulumi-random/provider/v4", "replaces the terraform-plugin-sdk with pulumi's fork"],
    tls: ["github.com/pulumi/pulumi-tls/provider/v5", "replaces the terraform-plugin-sdk with pulumi's fork"],
    grafana: [
      "github.com/pulumiverse/pulumi-grafana/provider/v2",
      "replaces the terraform-plugin-sdk with pulumi's fork",
    ],
  }),
} as const satisfies Record<string, UnavailableTool>;

/**
 * The resource plugins of the program's provider SDKs, at the version each SDK's package.json `pulumi` field names
 * (`pulumi-resource-<name>`, main package `./cmd/pulumi-resource-<name>` of the module): `name → [module, note]`.
 */
function pulumiProviders(
  providers: Readonly<Record<"docker" | "command" | "random" | "tls" | "grafana", readonly [string, string]>>,
): Record<`pulumiProvider${string}`, UnavailableTool> {
  const sdks = {
    docker: "@pulumi/docker",
    command: "@pulumi/command",
    random: "@pulumi/random",
    tls: "@pulumi/tls",
    grafana: "@pulumiverse/grafana",
  } as const;
  return Object.fromEntries(
    Object.entries(providers).map(([name, [module, note]]) => {
      const sdk = sdks[name as keyof typeof sdks];
      const version = packageJson.dependencies[sdk];
      return [
        `pulumiProvider${name[0].toUpperCase()}${name.slice(1)}`,
        {
          deployed: version,
          deployedFrom: `package.json ${sdk} (its pulumi.version)`,
          source: `${module}@v${version}, main package ./cmd/pulumi-resource-${name}`,
          reason: `${PROXY_REFUSAL} (${note}); no registry these machines reach ships the plugin (the npm package downloads it from GitHub at install). Without it nothing of the program can be previewed: the graph is tested under the SDK's mocks (tests/unit/deploy.lifecycle.test.ts)`,
        },
      ];
    }),
  );
}

/** `v3.5.0` → `3.5`, `1:6.0.4-3` → `6.0`, `0.11.2-6` → `0.11`. */
export function majorMinor(version: string): string {
  const withoutEpoch = version.replace(/^\d+:/, "").replace(/^v/, "");
  const match = /^(\d+)\.(\d+)/.exec(withoutEpoch);
  if (!match) throw new Error(`not a version: ${JSON.stringify(version)}`);
  return `${match[1]}.${match[2]}`;
}
