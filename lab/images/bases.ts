/**
 * The base images the lab builds in place of the upstream bases no registry can give here. Each says which upstream
 * base it stands for and how close it is:
 * - `prometheus-busybox` for `quay.io/prometheus/busybox-linux-amd64:latest` (`busybox:glibc` plus CA certificates):
 *   the same busybox release (1.37.0, Debian trixie's static build), `/bin/<applet>` links, `nobody` 65534.
 * - `distroless-static-debug` for `gcr.io/distroless/static:debug` (Loki's base): busybox under `/busybox` (on
 *   `PATH`), `root`, `nobody` 65534 and `nonroot` 65532, CA certificates, `/tmp` 1777, entrypoint `/busybox/sh`.
 * - `debian` for the Debian and Ubuntu bases (`debian:bookworm-slim` under nginx, `ubuntu:noble` under Alloy,
 *   Alpine under Grafana and Traefik): a `debootstrap --variant=minbase` root of Debian 12 with the packages those
 *   Dockerfiles install (ca-certificates, tzdata, libsystemd0, curl), made into an image with `docker import`.
 */
import type { ContextFile } from "./context";
import type { DockerfileSpec } from "./dockerfile";

export const BASE_NAMES = ["prometheus-busybox", "distroless-static-debug", "debian"] as const;
export type BaseName = (typeof BASE_NAMES)[number];

/** Debian release the `debian` base is made of, and the packages upstream Dockerfiles install on their bases. */
export const DEBIAN_BASE = {
  suite: "bookworm",
  packages: ["ca-certificates", "tzdata", "libsystemd0", "curl"],
} as const;

/** `/etc/passwd` and `/etc/group` lines, as `name:uid:gid:home:shell`. */
interface Account {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly shell: string;
}

export function passwdFile(accounts: readonly Account[]): string {
  return accounts.map((a) => `${a.name}:x:${a.uid}:${a.gid}:${a.name}:${a.home}:${a.shell}\n`).join("");
}

export function groupFile(accounts: readonly Account[]): string {
  return accounts.map((a) => `${a.name}:x:${a.gid}:\n`).join("");
}

/** busybox:glibc's accounts that matter to the images on it: root and nobody (65534). */
const BUSYBOX_ACCOUNTS: readonly Account[] = [
  { name: "root", uid: 0, gid: 0, home: "/root", shell: "/bin/sh" },
  { name: "nobody", uid: 65534, gid: 65534, home: "/home", shell: "/bin/false" },
];

/** distroless's accounts (its `base` image's /etc/passwd). */
const DISTROLESS_ACCOUNTS: readonly Account[] = [
  { name: "root", uid: 0, gid: 0, home: "/root", shell: "/sbin/nologin" },
  { name: "nobody", uid: 65534, gid: 65534, home: "/nonexistent", shell: "/sbin/nologin" },
  { name: "nonroot", uid: 65532, gid: 65532, home: "/home/nonroot", shell: "/sbin/nologin" },
];

/** Where the CA bundle lives in each base, as in the upstream images. */
export const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

export interface BaseImage {
  readonly name: Exclude<BaseName, "debian">;
  /** What it stands for. */
  readonly upstream: string;
  readonly files: readonly ContextFile[];
  readonly dockerfile: Omit<DockerfileSpec, "name" | "from">;
}

/** A busybox base's root folder: the tool cache's static busybox at `busybox`, its accounts, the CA bundle. */
function busyboxRootfs(busybox: string, accounts: readonly Account[]): ContextFile[] {
  return [
    { path: `rootfs/${busybox}`, source: { kind: "tool", binary: "busybox" }, mode: 0o755 },
    { path: "rootfs/etc/passwd", source: { kind: "text", text: passwdFile(accounts) }, mode: 0o644 },
    { path: "rootfs/etc/group", source: { kind: "text", text: groupFile(accounts) }, mode: 0o644 },
    { path: `rootfs${CA_BUNDLE}`, source: { kind: "host", path: CA_BUNDLE }, mode: 0o644 },
  ];
}

/** The two busybox bases, built `FROM scratch` with the tool cache's static busybox. */
export const BUSYBOX_BASES: readonly BaseImage[] = [
  {
    name: "prometheus-busybox",
    upstream: "quay.io/prometheus/busybox-linux-amd64:latest (busybox:glibc + CA certificates)",
    files: busyboxRootfs("bin/busybox", BUSYBOX_ACCOUNTS),
    dockerfile: {
      copies: [{ from: "rootfs/", to: "/" }],
      run: [
        ["/bin/busybox", "--install", "-s", "/bin"],
        "mkdir -p /tmp /var /home /root /usr/sbin && chmod 1777 /tmp && chmod 700 /root",
      ],
      cmd: ["sh"],
    },
  },
  {
    name: "distroless-static-debug",
    upstream: "gcr.io/distroless/static:debug (distroless static + busybox under /busybox)",
    files: busyboxRootfs("busybox/busybox", DISTROLESS_ACCOUNTS),
    dockerfile: {
      env: {
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox",
        SSL_CERT_FILE: CA_BUNDLE,
      },
      copies: [{ from: "rootfs/", to: "/" }],
      run: [
        ["/busybox/busybox", "--install", "-s", "/busybox"],
        [
          "/busybox/sh",
          "-c",
          "mkdir -p /tmp /home/nonroot /root && chmod 1777 /tmp && chown 65532:65532 /home/nonroot",
        ],
      ],
      entrypoint: ["/busybox/sh"],
    },
  },
];
