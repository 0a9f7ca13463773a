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

/** A Debian package fetched from one suite into the cache. */
export interface DebianSource {
  /** Binary package name in Debian's archive. */
  readonly package: string;
  /** Suite of the same archive the machine uses (`sid`, `trixie`, `bookworm-backports`, `bullseye`). */
  readonly suite: string;
  /** Further packages of the same suite unpacked beside it (libraries the binary needs). */
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
