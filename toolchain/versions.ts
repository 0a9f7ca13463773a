/**
 * The one place that says which version of each tool the tests run and which version the stack deploys.
 *
 * `deployed` is read from where the stack pins it (`settings/images.ts` for containers, the security settings'
 * defaults for the host agents), never typed twice. `fetch` says where the tests get the tool: a suite of the
 * Debian archive the machine already uses (the same source, another suite), downloaded with `apt-get download`
 * and unpacked with `dpkg-deb -x` into the tool cache (`toolchain/fetch.ts`), so the installed system is untouched.
 * `allowedDrift` is the written reason when the tested major.minor may differ from the deployed one; without it
 * `npm run versions` fails on any difference.
 */
import { IMAGES } from "../settings/images";
import { fail2banSettings, suricataSettings } from "../settings/security";

/** A Debian package fetched from one suite into the cache. */
export interface DebianSource {
  /** Binary package name in Debian's archive. */
  readonly package: string;
  /** Suite of the same archive the machine uses (`sid`, `trixie`, `bookworm-backports`, `bullseye`). */
  readonly suite: string;
  /**
   * Further packages unpacked beside it (libraries the binary needs): of the same suite, or `name/suite` for one
   * that only another suite of the same archive has (a backport's libraries are in the release it backports to).
   */
  readonly with?: readonly string[];
}

export interface ToolVersion {
  /** What the stack deploys, as written where it is pinned (an image tag or a Debian version). */
  readonly deployed: string;
  /** Where that pin lives, for the report. */
  readonly deployedFrom: string;
  /** Where the tests get it. */
  readonly fetch: DebianSource;
  /** Executables the tests call, relative to the unpacked package root. */
  readonly binaries: Readonly<Record<string, string>>;
  /** Why a different major.minor is acceptable for this tool, or absent when it must match. */
  readonly allowedDrift?: string;
}

const imageTag = (image: string): string => image.slice(image.lastIndexOf(":") + 1);

/** fail2ban is Python: `usr/bin/fail2ban-*` of the unpacked package, run with `PYTHONPATH` into it (tests/helpers/fail2ban.ts). */
const FAIL2BAN_SCRIPTS = {
  client: "usr/bin/fail2ban-client",
  regex: "usr/bin/fail2ban-regex",
  server: "usr/bin/fail2ban-server",
} as const;

export const TOOL_VERSIONS = {
  prometheus: {
    deployed: imageTag(IMAGES.prometheus),
    deployedFrom: "settings/images.ts IMAGES.prometheus",
    fetch: { package: "prometheus", suite: "sid", with: ["promtool"] },
    binaries: { prometheus: "usr/bin/prometheus", promtool: "usr/bin/promtool" },
  },
  alertmanager: {
    deployed: imageTag(IMAGES.alertmanager),
    deployedFrom: "settings/images.ts IMAGES.alertmanager",
    fetch: { package: "prometheus-alertmanager", suite: "trixie" },
    binaries: { alertmanager: "usr/bin/prometheus-alertmanager", amtool: "usr/bin/amtool" },
  },
  nodeExporter: {
    deployed: imageTag(IMAGES.nodeExporter),
    deployedFrom: "settings/images.ts IMAGES.nodeExporter",
    fetch: { package: "prometheus-node-exporter", suite: "trixie" },
    binaries: { nodeExporter: "usr/bin/prometheus-node-exporter" },
  },
  postgresExporter: {
    deployed: imageTag(IMAGES.postgresExporter),
    deployedFrom: "settings/images.ts IMAGES.postgresExporter",
    fetch: { package: "prometheus-postgres-exporter", suite: "trixie" },
    binaries: { postgresExporter: "usr/bin/prometheus-postgres-exporter" },
  },
  /** The blackbox exporter (components/blackbox.ts): sid packages the deployed 0.28.0. */
  blackbox: {
    deployed: imageTag(IMAGES.blackbox),
    deployedFrom: "settings/images.ts IMAGES.blackbox",
    fetch: { package: "prometheus-blackbox-exporter", suite: "sid" },
    binaries: { blackbox: "usr/bin/prometheus-blackbox-exporter" },
  },
  // Ubuntu 22.04 ships 6.0.4; bullseye's 6.0.1 is the same 6.0 branch (same configuration keys, rule keywords
  // and eve.json fields). Its libraries that Debian 12 lacks or has under another soname come from bullseye too
  // and are found through `toolLibraryPath` (LD_LIBRARY_PATH); glibc, libyaml, libjansson, libpcap, libmagic,
  // libcap-ng, libevent and libnss are Debian 12's, ABI-compatible with what 6.0.1 was built against.
  suricata: {
    deployed: suricataSettings.parse({}).version,
    deployedFrom: "settings/security.ts suricataSettings.version",
    fetch: {
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
    deployed: fail2banSettings.parse({}).version,
    deployedFrom: "settings/security.ts security.fail2ban.version (default)",
    // With the Python it was released for: 0.11.2 imports `collections.MutableMapping`, gone since Python 3.10
    // (Ubuntu's 0.11.2-6 carries upstream's fix for its Python 3.10; the code and action files are 0.11.2's).
    fetch: {
      package: "fail2ban",
      suite: "bullseye",
      with: ["python3.9-minimal", "libpython3.9-minimal", "libpython3.9-stdlib"],
    },
    binaries: {
      "fail2ban-client": FAIL2BAN_SCRIPTS.client,
      "fail2ban-regex": FAIL2BAN_SCRIPTS.regex,
      "fail2ban-server": FAIL2BAN_SCRIPTS.server,
    },
  },
  /** The newest fail2ban the jails must also work on (hosts on Debian 13; Ubuntu 24.04 has 1.0.2, the system's). */
  fail2banNewest: {
    deployed: fail2banSettings.parse({}).version,
    deployedFrom: "settings/security.ts security.fail2ban.version (default)",
    fetch: { package: "fail2ban", suite: "trixie" },
    binaries: {
      "fail2ban-client-newest": FAIL2BAN_SCRIPTS.client,
      "fail2ban-regex-newest": FAIL2BAN_SCRIPTS.regex,
      "fail2ban-server-newest": FAIL2BAN_SCRIPTS.server,
    },
    allowedDrift:
      "tested beside the deployed 0.11 (entry fail2ban), not instead of it: `security.fail2ban.version` may name a newer release, and 1.1's action files differ from 0.11's",
  },
  busybox: {
    // Not pinned by the stack: the `busybox:glibc` base of quay.io/prometheus/busybox, under the Prometheus,
    // Alertmanager and exporter images, whose wget runs their healthchecks (webauth/healthcheck.ts).
    deployed: "1.37.0",
    deployedFrom: "busybox:glibc base of quay.io/prometheus/busybox (prometheus/busybox glibc/Dockerfile)",
    // busybox-static: the dynamic build of trixie needs a newer glibc than this machine's.
    fetch: { package: "busybox-static", suite: "trixie" },
    binaries: { busybox: "usr/bin/busybox" },
  },
  /** The log gateway (components/logGateway.ts): the official nginx image, Debian-based. */
  nginx: {
    deployed: imageTag(IMAGES.logGateway),
    deployedFrom: "settings/images.ts IMAGES.logGateway",
    // trixie's build runs on this machine's glibc and libssl3/libcrypt1 (bookworm's, the same libraries the
    // image's Debian base has); sid's needs glibc 2.38.
    fetch: { package: "nginx", suite: "trixie" },
    binaries: { nginx: "usr/sbin/nginx" },
    allowedDrift:
      "no newer nginx of Debian's archive runs here (sid's 1.30 needs glibc 2.38). The gateway uses only directives unchanged since nginx 1.19 (listen ssl, ssl_protocols, auth_basic_user_file, limit_except, client_max_body_size, proxy_pass with a variable, resolver); the image's libcrypt1 (libxcrypt 4.4, bookworm) is the one the test runs against",
  },
  victoriaMetrics: {
    // Not deployed by the stack: the operator's own store. The release line the scale lane proves remote write on.
    deployed: "v1.145.0",
    deployedFrom: "docs/scaling.md (the operator's own store, not deployed)",
    fetch: { package: "victoria-metrics", suite: "sid" },
    binaries: { victoriaMetrics: "usr/bin/victoria-metrics" },
  },
} as const satisfies Record<string, ToolVersion>;

export type ToolName = keyof typeof TOOL_VERSIONS;

/** `v3.5.0` → `3.5`, `1:6.0.4-3` → `6.0`, `0.11.2-6` → `0.11`. */
export function majorMinor(version: string): string {
  const withoutEpoch = version.replace(/^\d+:/, "").replace(/^v/, "");
  const match = /^(\d+)\.(\d+)/.exec(withoutEpoch);
  if (!match) throw new Error(`not a version: ${JSON.stringify(version)}`);
  return `${match[1]}.${match[2]}`;
}
