/**
 * One image per service the stack (and the lab's application side) runs, each following its upstream Dockerfile at
 * the deployed version, line for line where the lab can (read from the Go module's source at that version:
 * `go mod download -json module@version` → Dir, or the project's repository at its release tag):
 * base, user and uid, paths, copies, `RUN` lines, exposed ports, volumes, workdir, entrypoint and cmd. The binaries
 * are the tool cache's (toolchain/), built here at the deployed version; no registry is involved.
 *
 * What differs from upstream is said per image (`differs`); the shared differences are the bases (lab/images/bases.ts).
 */
import { IMAGES, imageTag, parseImageReference, type ImageName } from "../../settings/images";
import type { BaseName } from "./bases";
import type { ContextFile } from "./context";
import type { DockerfileSpec } from "./dockerfile";

/** The services with an image (settings/images.ts): the stack's, and the application's Traefik (the lab's app side). */
export type LabImageName = ImageName;

export interface LabImage {
  readonly name: LabImageName;
  /** The tool-cache entry (toolchain/versions.ts) whose binary it carries. */
  readonly tool: string;
  /** Repository name under the lab prefix (`<prefix>/<repository>:<tag>`), upstream's last path segment. */
  readonly repository: string;
  /** The version the image's binary is (the tag, without a leading `v` when upstream's tag has none). */
  readonly tag: string;
  /** The version its binary must report (`tag` without `v`). */
  readonly version: string;
  readonly upstream: {
    /** Where its Dockerfile was read. */
    readonly dockerfile: string;
    /** Upstream's final `FROM`. */
    readonly base: string;
  };
  /** What differs from upstream, and why. */
  readonly differs?: string;
  readonly base: BaseName | "scratch";
  readonly files: readonly ContextFile[];
  readonly dockerfile: Omit<DockerfileSpec, "name" | "from">;
  /** What the image test checks: the uid the image runs as, its ports and volumes (upstream's). */
  readonly expect: { readonly uid: number; readonly ports: readonly number[]; readonly volumes: readonly string[] };
  /**
   * How the binary reports its version: arguments after the image's own entrypoint (or `entrypoint` instead), and
   * the text the output must contain, `{version}` standing for `version`.
   */
  readonly versionCheck: { readonly entrypoint?: string; readonly args: readonly string[]; readonly expect: string };
}

/**
 * The version of the binary each image carries, as the tool cache has it (`3.5.0`, `1.26.3`; toolchain/cache.ts
 * `fetchedVersion`). An image is tagged with that version, written as upstream writes its tags: it is the deployed
 * one unless the tool has a written drift (toolchain/versions.ts `allowedDrift`), and never a tag it is not.
 */
export interface LabImageInputs {
  readonly versions: Readonly<Partial<Record<LabImageName, string>>>;
}

const tagOf = imageTag;
const repositoryOf = (reference: string) => parseImageReference(reference).repository.split("/").pop() ?? "";
const withoutV = (tag: string) => tag.replace(/^v/, "");

/** `v3.5.0` from deployed `v3.5.0` and built `3.5.0`; `1.26.3` from deployed `1.28.0` and built `1.26.3`. */
export function labTag(deployedTag: string, built: string | undefined): { tag: string; version: string } {
  const version = withoutV(built ?? deployedTag);
  return { tag: deployedTag.startsWith("v") ? `v${version}` : version, version };
}

function pinned(
  name: ImageName,
  tool: string,
  inputs: LabImageInputs,
): Pick<LabImage, "name" | "tool" | "repository" | "tag" | "version"> {
  return { name, tool, repository: repositoryOf(IMAGES[name]), ...labTag(tagOf(IMAGES[name]), inputs.versions[name]) };
}

const goModuleAt = (path: string, version: string) => `${path}@${version}`;

/** Prometheus's Go module versions are `v0.<major><minor:2>.<patch>` for release `v<major>.<minor>.<patch>`. */
export function prometheusModuleVersion(release: string): string {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(release);
  if (!match) throw new Error(`not a Prometheus release: ${JSON.stringify(release)}`);
  return `v0.${Number(match[1]) * 100 + Number(match[2])}.${match[3]}`;
}

/** The four images of the Prometheus family share one shape (quay.io/prometheus/busybox, `nobody`). */
function prometheusFamily(
  name: "prometheus" | "alertmanager" | "nodeExporter" | "postgresExporter" | "blackboxExporter",
): Pick<LabImage, "upstream" | "base"> {
  const goModule = {
    prometheus: goModuleAt("github.com/prometheus/prometheus", prometheusModuleVersion(tagOf(IMAGES.prometheus))),
    alertmanager: goModuleAt("github.com/prometheus/alertmanager", tagOf(IMAGES.alertmanager)),
    nodeExporter: goModuleAt("github.com/prometheus/node_exporter", tagOf(IMAGES.nodeExporter)),
    postgresExporter: goModuleAt("github.com/prometheus-community/postgres_exporter", tagOf(IMAGES.postgresExporter)),
    blackboxExporter: goModuleAt("github.com/prometheus/blackbox_exporter", tagOf(IMAGES.blackboxExporter)),
  }[name];
  return {
    upstream: { dockerfile: `${goModule} Dockerfile`, base: "quay.io/prometheus/busybox-linux-amd64:latest" },
    base: "prometheus-busybox",
  };
}

const NOBODY = 65534;

/** Grafana's `/run.sh` does this, minus plugin installs and AWS profiles (packaging/docker/run.sh at v12.1.1). */
export const GRAFANA_RUN_SH = [
  "#!/bin/sh",
  "# The lab image's /run.sh: grafana/grafana's entrypoint starts the server this way (packaging/docker/run.sh),",
  "# with the GF_PATHS_* of the image's environment; GF_INSTALL_PLUGINS and GF_AWS_* profiles are not supported.",
  "set -e",
  'exec grafana server --homepath="$GF_PATHS_HOME" --config="$GF_PATHS_CONFIG" --packaging=docker "$@" \\',
  '  cfg:default.log.mode="console" cfg:default.paths.data="$GF_PATHS_DATA" cfg:default.paths.logs="$GF_PATHS_LOGS" \\',
  '  cfg:default.paths.plugins="$GF_PATHS_PLUGINS" cfg:default.paths.provisioning="$GF_PATHS_PROVISIONING"',
  "",
].join("\n");

/** nginx's `/docker-entrypoint.sh` runs `/docker-entrypoint.d` scripts only for `nginx …` commands; the lab has none. */
export const NGINX_ENTRYPOINT_SH = [
  "#!/bin/sh",
  "# The lab image's entrypoint: the official one runs /docker-entrypoint.d/*.sh before `nginx` (none here), then execs.",
  "set -e",
  'exec "$@"',
  "",
].join("\n");

/** Traefik's entrypoint.sh: arguments that start with `-` are Traefik's (`traefik` is put in front). */
export const TRAEFIK_ENTRYPOINT_SH = [
  "#!/bin/sh",
  "# The lab image's entrypoint, as traefik's official one: flags alone run traefik with them.",
  "set -e",
  'case "$1" in -*) set -- traefik "$@" ;; esac',
  'exec "$@"',
  "",
].join("\n");

const GRAFANA_PATHS = {
  GF_PATHS_CONFIG: "/etc/grafana/grafana.ini",
  GF_PATHS_DATA: "/var/lib/grafana",
  GF_PATHS_HOME: "/usr/share/grafana",
  GF_PATHS_LOGS: "/var/log/grafana",
  GF_PATHS_PLUGINS: "/var/lib/grafana/plugins",
  GF_PATHS_PROVISIONING: "/etc/grafana/provisioning",
} as const;

/** Every lab image, in build order (each base before its images). */
export function labImages(inputs: LabImageInputs): readonly LabImage[] {
  const prometheusModule = goModuleAt(
    "github.com/prometheus/prometheus",
    prometheusModuleVersion(tagOf(IMAGES.prometheus)),
  );
  const alertmanagerModule = goModuleAt("github.com/prometheus/alertmanager", tagOf(IMAGES.alertmanager));
  const lokiModule = goModuleAt("github.com/grafana/loki/v3", tagOf(IMAGES.loki));
  const G = GRAFANA_PATHS;
  return [
    {
      ...pinned("prometheus", "prometheus", inputs),
      ...prometheusFamily("prometheus"),
      differs: "npm_licenses.tar.bz2 (the UI's licence bundle of the release tarball) is not copied",
      files: [
        { path: "bin/prometheus", source: { kind: "tool", binary: "prometheus" }, mode: 0o755 },
        { path: "bin/promtool", source: { kind: "tool", binary: "promtool" }, mode: 0o755 },
        {
          path: "prometheus.yml",
          source: { kind: "module", module: prometheusModule, path: "documentation/examples/prometheus.yml" },
        },
        { path: "LICENSE", source: { kind: "module", module: prometheusModule, path: "LICENSE" } },
        { path: "NOTICE", source: { kind: "module", module: prometheusModule, path: "NOTICE" } },
      ],
      dockerfile: {
        labels: { "org.opencontainers.image.source": "https://github.com/prometheus/prometheus" },
        copies: [
          { from: "bin/prometheus", to: "/bin/prometheus" },
          { from: "bin/promtool", to: "/bin/promtool" },
          { from: "prometheus.yml", to: "/etc/prometheus/prometheus.yml" },
          { from: "LICENSE", to: "/LICENSE" },
          { from: "NOTICE", to: "/NOTICE" },
        ],
        workdirFirst: "/prometheus",
        run: ["chown -R nobody:nobody /etc/prometheus /prometheus && chmod g+w /prometheus"],
        user: "nobody",
        expose: [9090],
        volumes: ["/prometheus"],
        entrypoint: ["/bin/prometheus"],
        cmd: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"],
      },
      expect: { uid: NOBODY, ports: [9090], volumes: ["/prometheus"] },
      versionCheck: { args: ["--version"], expect: "prometheus, version {version} " },
    },
    {
      ...pinned("alertmanager", "alertmanager", inputs),
      ...prometheusFamily("alertmanager"),
      files: [
        { path: "bin/alertmanager", source: { kind: "tool", binary: "alertmanager" }, mode: 0o755 },
        { path: "bin/amtool", source: { kind: "tool", binary: "amtool" }, mode: 0o755 },
        {
          path: "alertmanager.yml",
          source: { kind: "module", module: alertmanagerModule, path: "examples/ha/alertmanager.yml" },
        },
      ],
      dockerfile: {
        labels: { "org.opencontainers.image.source": "https://github.com/prometheus/alertmanager" },
        copies: [
          { from: "bin/amtool", to: "/bin/amtool" },
          { from: "bin/alertmanager", to: "/bin/alertmanager" },
          { from: "alertmanager.yml", to: "/etc/alertmanager/alertmanager.yml" },
        ],
        run: ["mkdir -p /alertmanager && chown -R nobody:nobody etc/alertmanager /alertmanager"],
        user: "nobody",
        expose: [9093],
        volumes: ["/alertmanager"],
        workdir: "/alertmanager",
        entrypoint: ["/bin/alertmanager"],
        cmd: ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"],
      },
      expect: { uid: NOBODY, ports: [9093], volumes: ["/alertmanager"] },
      versionCheck: { args: ["--version"], expect: "alertmanager, version {version} " },
    },
    {
      ...pinned("nodeExporter", "nodeExporter", inputs),
      ...prometheusFamily("nodeExporter"),
      files: [{ path: "bin/node_exporter", source: { kind: "tool", binary: "nodeExporter" }, mode: 0o755 }],
      dockerfile: {
        copies: [{ from: "bin/node_exporter", to: "/bin/node_exporter" }],
        expose: [9100],
        user: "nobody",
        entrypoint: ["/bin/node_exporter"],
      },
      expect: { uid: NOBODY, ports: [9100], volumes: [] },
      versionCheck: { args: ["--version"], expect: "node_exporter, version {version} " },
    },
    {
      ...pinned("postgresExporter", "postgresExporter", inputs),
      ...prometheusFamily("postgresExporter"),
      files: [{ path: "bin/postgres_exporter", source: { kind: "tool", binary: "postgresExporter" }, mode: 0o755 }],
      dockerfile: {
        copies: [{ from: "bin/postgres_exporter", to: "/bin/postgres_exporter" }],
        expose: [9187],
        user: "nobody",
        entrypoint: ["/bin/postgres_exporter"],
      },
      expect: { uid: NOBODY, ports: [9187], volumes: [] },
      versionCheck: { args: ["--version"], expect: "postgres_exporter, version {version} " },
    },
    {
      ...pinned("blackboxExporter", "blackboxExporter", inputs),
      ...prometheusFamily("blackboxExporter"),
      files: [
        { path: "bin/blackbox_exporter", source: { kind: "tool", binary: "blackboxExporter" }, mode: 0o755 },
        {
          path: "blackbox.yml",
          source: {
            kind: "module",
            module: goModuleAt("github.com/prometheus/blackbox_exporter", tagOf(IMAGES.blackboxExporter)),
            path: "blackbox.yml",
          },
        },
      ],
      dockerfile: {
        copies: [
          { from: "bin/blackbox_exporter", to: "/bin/blackbox_exporter" },
          { from: "blackbox.yml", to: "/etc/blackbox_exporter/config.yml" },
        ],
        expose: [9115],
        entrypoint: ["/bin/blackbox_exporter"],
        cmd: ["--config.file=/etc/blackbox_exporter/config.yml"],
      },
      // Upstream sets no USER: the blackbox exporter's image runs as root (ICMP probes need it).
      expect: { uid: 0, ports: [9115], volumes: [] },
      versionCheck: { args: ["--version"], expect: "blackbox_exporter, version {version} " },
    },
    {
      ...pinned("loki", "loki", inputs),
      upstream: { dockerfile: `${lokiModule} cmd/loki/Dockerfile`, base: "gcr.io/distroless/static:debug" },
      // The workplace's package list marks the Loki module not-to-use (AGPL): nothing of its source goes into the image.
      differs:
        "no /etc/loki/local-config.yaml (upstream copies cmd/loki/loki-docker-config.yaml; the stack mounts its own loki.yaml)",
      base: "distroless-static-debug",
      files: [{ path: "bin/loki", source: { kind: "tool", binary: "loki" }, mode: 0o755 }],
      dockerfile: {
        copies: [{ from: "bin/loki", to: "/usr/bin/loki" }],
        shell: ["/busybox/sh", "-c"],
        run: [
          "addgroup -g 10001 -S loki && adduser -u 10001 -S loki -G loki",
          "mkdir -p /loki/rules && mkdir -p /loki/rules-temp && mkdir -p /etc/loki && chown -R loki:loki /etc/loki /loki && ln -s /busybox/sh /bin/sh",
        ],
        user: "10001",
        expose: [3100],
        entrypoint: ["/usr/bin/loki"],
        cmd: ["-config.file=/etc/loki/local-config.yaml"],
      },
      expect: { uid: 10001, ports: [3100], volumes: [] },
      versionCheck: { args: ["-version"], expect: "loki, version {version} " },
    },
    {
      ...pinned("alloy", "alloy", inputs),
      upstream: {
        dockerfile: `github.com/grafana/alloy ${tagOf(IMAGES.alloy)} Dockerfile (release tag)`,
        base: "public.ecr.aws/ubuntu/ubuntu:noble",
      },
      differs:
        "Debian 12 instead of Ubuntu 24.04 (no Ubuntu archive here), with the same packages (ca-certificates, libsystemd0 for the journal, tzdata)",
      base: "debian",
      files: [{ path: "bin/alloy", source: { kind: "tool", binary: "alloy" }, mode: 0o755 }],
      dockerfile: {
        labels: { "org.opencontainers.image.source": "https://github.com/grafana/alloy" },
        copies: [{ from: "bin/alloy", to: "/bin/alloy", chown: "473:473" }],
        run: [
          "groupadd --gid 473 alloy && useradd -m -u 473 -g 473 alloy && mkdir -p /var/lib/alloy/data /etc/alloy && chown -R alloy:alloy /var/lib/alloy && chmod -R 770 /var/lib/alloy",
        ],
        env: { ALLOY_DEPLOY_MODE: "docker" },
        entrypoint: ["/bin/alloy"],
        cmd: ["run", "/etc/alloy/config.alloy", "--storage.path=/var/lib/alloy/data"],
      },
      // Upstream sets no USER (root) and neither EXPOSE nor VOLUME.
      expect: { uid: 0, ports: [], volumes: [] },
      versionCheck: { args: ["--version"], expect: "alloy, version v{version} " },
    },
    {
      ...pinned("grafana", "grafana", inputs),
      upstream: {
        dockerfile: `github.com/grafana/grafana v${tagOf(IMAGES.grafana)} Dockerfile (release tag)`,
        base: "alpine:3.21",
      },
      differs:
        "Debian 12 instead of Alpine (no Alpine repository here): its `wget` (the healthcheck's) is busybox's, as on Alpine; /run.sh is the lab's own (GRAFANA_RUN_SH)",
      base: "debian",
      files: [
        { path: "grafana/bin/grafana", source: { kind: "tool", binary: "grafana" }, mode: 0o755 },
        { path: "grafana/conf/", source: { kind: "toolRoot", binary: "grafana", path: "conf" } },
        { path: "grafana/public/", source: { kind: "toolRoot", binary: "grafana", path: "public" } },
        { path: "run.sh", source: { kind: "text", text: GRAFANA_RUN_SH }, mode: 0o755 },
        { path: "busybox", source: { kind: "tool", binary: "busybox" }, mode: 0o755 },
      ],
      dockerfile: {
        labels: { "org.opencontainers.image.source": "https://github.com/grafana/grafana" },
        env: { PATH: `/usr/share/grafana/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, ...G },
        workdirFirst: G.GF_PATHS_HOME,
        copies: [
          { from: "grafana/conf/", to: `${G.GF_PATHS_HOME}/conf/` },
          { from: "grafana/bin/grafana", to: `${G.GF_PATHS_HOME}/bin/grafana` },
          { from: "grafana/public/", to: `${G.GF_PATHS_HOME}/public/` },
          { from: "busybox", to: "/usr/local/bin/busybox" },
          { from: "run.sh", to: "/run.sh" },
        ],
        run: [
          "ln -s busybox /usr/local/bin/wget",
          `mkdir -p "${G.GF_PATHS_HOME}/.aws" && useradd --system --no-create-home --uid 472 --gid 0 grafana && mkdir -p "${G.GF_PATHS_PROVISIONING}/datasources" "${G.GF_PATHS_PROVISIONING}/dashboards" "${G.GF_PATHS_PROVISIONING}/notifiers" "${G.GF_PATHS_PROVISIONING}/plugins" "${G.GF_PATHS_PROVISIONING}/access-control" "${G.GF_PATHS_PROVISIONING}/alerting" "${G.GF_PATHS_LOGS}" "${G.GF_PATHS_PLUGINS}" "${G.GF_PATHS_DATA}" && cp conf/sample.ini "${G.GF_PATHS_CONFIG}" && cp conf/ldap.toml /etc/grafana/ldap.toml && chown -R grafana:0 "${G.GF_PATHS_DATA}" "${G.GF_PATHS_HOME}/.aws" "${G.GF_PATHS_LOGS}" "${G.GF_PATHS_PLUGINS}" "${G.GF_PATHS_PROVISIONING}" && chmod -R 777 "${G.GF_PATHS_DATA}" "${G.GF_PATHS_HOME}/.aws" "${G.GF_PATHS_LOGS}" "${G.GF_PATHS_PLUGINS}" "${G.GF_PATHS_PROVISIONING}"`,
        ],
        expose: [3000],
        user: "472",
        entrypoint: ["/run.sh"],
      },
      expect: { uid: 472, ports: [3000], volumes: [] },
      versionCheck: { entrypoint: "grafana", args: ["--version"], expect: "grafana version {version}" },
    },
    {
      ...pinned("socketProxy", "socketProxy", inputs),
      upstream: {
        dockerfile: `github.com/wollomatic/socket-proxy ${tagOf(IMAGES.socketProxy)} Dockerfile (release tag)`,
        base: "scratch",
      },
      base: "scratch",
      files: [
        { path: "bin/socket-proxy", source: { kind: "tool", binary: "socketProxy" }, mode: 0o755 },
        { path: "bin/healthcheck", source: { kind: "tool", binary: "socketProxyHealthcheck" }, mode: 0o755 },
      ],
      dockerfile: {
        labels: { "org.opencontainers.image.source": "https://github.com/wollomatic/socket-proxy" },
        user: "65534:65534",
        volumes: ["/var/run/docker.sock"],
        expose: [2375],
        entrypoint: ["/socket-proxy"],
        copies: [
          { from: "bin/healthcheck", to: "/healthcheck" },
          { from: "bin/socket-proxy", to: "/socket-proxy" },
        ],
      },
      expect: { uid: NOBODY, ports: [2375], volumes: ["/var/run/docker.sock"] },
      // It has no version flag: it logs its version first, then fails on the missing socket.
      versionCheck: { args: [], expect: "version={version}" },
    },
    {
      ...pinned("logGateway", "nginx", inputs),
      upstream: {
        dockerfile: `nginxinc/docker-nginx stable/debian Dockerfile (nginx ${tagOf(IMAGES.logGateway)})`,
        base: "debian:bookworm-slim",
      },
      differs: `Debian's nginx package (the tool cache's) instead of nginx.org's ${tagOf(IMAGES.logGateway)}, on the same Debian 12 base; the entrypoint is the lab's own (NGINX_ENTRYPOINT_SH)`,
      base: "debian",
      files: [
        { path: "nginx/", source: { kind: "toolRoot", binary: "nginx", path: "." } },
        { path: "docker-entrypoint.sh", source: { kind: "text", text: NGINX_ENTRYPOINT_SH }, mode: 0o755 },
      ],
      dockerfile: {
        copies: [
          { from: "nginx/", to: "/" },
          { from: "docker-entrypoint.sh", to: "/docker-entrypoint.sh" },
        ],
        run: [
          "groupadd --system --gid 101 nginx && useradd --system --gid nginx --no-create-home --home /nonexistent --comment 'nginx user' --shell /bin/false --uid 101 nginx && mkdir -p /var/log/nginx /var/cache/nginx /var/lib/nginx /etc/nginx /usr/share/nginx/html && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log",
        ],
        expose: [80],
        stopSignal: "SIGQUIT",
        entrypoint: ["/docker-entrypoint.sh"],
        cmd: ["nginx", "-g", "daemon off;"],
      },
      // The official image starts as root; its master drops workers to `nginx` (101). The stack runs it as its own uid.
      expect: { uid: 0, ports: [80], volumes: [] },
      versionCheck: { args: ["nginx", "-v"], expect: "nginx version: nginx/{version}" },
    },
    {
      ...pinned("appTraefik", "traefik", inputs),
      upstream: {
        dockerfile: `traefik/traefik-library-image ${tagOf(IMAGES.appTraefik)} alpine/Dockerfile`,
        base: "alpine:3",
      },
      differs:
        "Debian 12 instead of Alpine (with ca-certificates and tzdata, as upstream installs); the entrypoint is the lab's own (TRAEFIK_ENTRYPOINT_SH)",
      base: "debian",
      files: [
        { path: "bin/traefik", source: { kind: "tool", binary: "traefik" }, mode: 0o755 },
        { path: "entrypoint.sh", source: { kind: "text", text: TRAEFIK_ENTRYPOINT_SH }, mode: 0o755 },
      ],
      dockerfile: {
        copies: [
          { from: "bin/traefik", to: "/usr/local/bin/traefik" },
          { from: "entrypoint.sh", to: "/entrypoint.sh" },
        ],
        expose: [80],
        entrypoint: ["/entrypoint.sh"],
        cmd: ["traefik"],
      },
      expect: { uid: 0, ports: [80], volumes: [] },
      versionCheck: { args: ["traefik", "version"], expect: "{version}" },
    },
  ];
}
