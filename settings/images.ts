/**
 * Every container image the program runs, pinned to an exact version and, where a digest could be checked, to the
 * content of that version: `<image>:<tag>@sha256:<digest>`, the digest of the multi-arch index (the one a pull of
 * the tag resolves to on any platform). A tag is a name its owner (or whoever holds the registry account) can move
 * to other content; a digest cannot be moved. This is the one place the versions live: Renovate's regex manager
 * reads this file and keeps tag and digest together (renovate.json), and the settings schema only lets a stack
 * override a whole reference.
 *
 * No registry is reachable where this was written, so no digest was read from one. Each digest below was taken
 * from public repositories that pin the same `<image>:<tag>@sha256:` and agree on it (at least two unrelated
 * projects; found by the exact string in a public-code index, whose file ids are given so the finding can be
 * repeated), never guessed. An image for which no two sources agree keeps its tag-only pin and is listed in
 * `DIGEST_EXCEPTIONS` with the reason; tests/unit/images.digests.test.ts enumerates exactly those, and
 * docs/operator/security.md "Image digests" has the same table. Renovate adds the digest to such a pin at its
 * first run (`pinDigests` on this file).
 */
export const IMAGES = {
  // Sources: a Python promtool runner "prom/prometheus v3.5.0 (an LTS release), pinned by
  // digest" (71634217159); a Rust test of a compose.observability.yml (56721661761); a Go `PrometheusImage`
  // constant (71070518235); a Makefile `PROCTOR_PROMETHEUS_IMAGE` (62899629463).
  prometheus: "prom/prometheus:v3.5.0@sha256:63805ebb8d2b3920190daf1cb14a60871b16fd38bed42b857a3182bc621f4996",
  // Sources: the same Rust compose test (56721661761); a Korean runbook's docker-compose.prod.yml (69177698680); a
  // TypeScript `observabilityImageDefaults` (60394149261); a Python grader's IMAGES map (71293489721).
  alertmanager: "prom/alertmanager:v0.28.1@sha256:27c475db5fb156cab31d5c18a4251ac7ed567746a2483ff264516437a39b15ba",
  // Sources: an image audit table "resolved from the Docker Hub registry API" (70887759631); a NixOS podman
  // container definition (69466987568); a licence inventory (63210678551).
  nodeExporter: "prom/node-exporter:v1.9.1@sha256:d00a542e409ee618a4edc67da14dd48c5da66726bbd5537ab2af9c1dfc442c8a",
  // Sources: a Go `exporterImage` constant "pinned (scripts/pinned-images.txt)" (56779094797); a Terraform
  // Kubernetes sidecar (69247533577); a shell `ensure_managed_runtime_image` list (60233107051).
  postgresExporter:
    "quay.io/prometheuscommunity/postgres-exporter:v0.17.1@sha256:38606faa38c54787525fb0ff2fd6b41b4cfb75d455c1df294927c5f611699b17",
  // Sources: a shell `loki -verify-config` check (58027786925); a Makefile `PROCTOR_LOKI_IMAGE` (62899629463); a
  // TypeScript runtime image map (67300068558).
  loki: "grafana/loki:3.5.3@sha256:3165cecce301ce5b9b6e3530284b080934a05cd5cafac3d3d82edcb887b45ecd",
  // Sources: a shell `alloy validate` run (59251194459); a podman validation script (70296606456); a Dockerfile
  // `FROM grafana/alloy:v1.10.2@...` (70191733746); the shell list above (60233107051).
  alloy: "grafana/alloy:v1.10.2@sha256:bcf27f18c4402869af112fb39e35e1db3804a404686f4caa20bdf77814219223",
  // Sources: a Nomad job's grafana task (70117290119); a templated docker-compose (26214170292); the Makefile above
  // (62899629463); a TypeScript fixture pinning grafana/grafana-oss:12.1.1 to the same digest (57914701743).
  grafana: "grafana/grafana:12.1.1@sha256:a1701c2180249361737a99a01bc770db39381640e4d631825d38ff4535efa47d",
  // Probes from the VPS of what users reach (the API's health through Traefik and TLS, Grafana, certificate expiry).
  // Sources: a Python image map (58594396680); a TypeScript topology fixture (57960281007); a shell installer
  // (61981407256).
  blackboxExporter:
    "prom/blackbox-exporter:v0.27.0@sha256:a50c4c0eda297baa1678cd4dc4712a67fdea713b832d43ce7fcc5f9bea05094d",
  // Alloy's only door to the Docker API: a from-scratch Go proxy with per-method path allowlists (RE2, anchored).
  // No digest: DIGEST_EXCEPTIONS says why.
  socketProxy: "wollomatic/socket-proxy:1.12.2",
  // The further hosts' log gateway (TLS, basic auth, push only, to Loki): the official image, Debian bookworm
  // based, so `auth_basic_user_file` checks bcrypt through libxcrypt's crypt(3). The official image's tags are
  // rebuilt on every Debian update, so 1.28.0 has had several digests; this one is the index (16 platforms) that
  // docker-library's repo-info lists for the tag `stable` (55051980203), pinned as `nginx:1.28.0@...` by a
  // Dockerfile whose digest follows the tag's rebuilds commit by commit (66993268564) and by the Terraform Docker
  // provider's docs (6738854437).
  logGateway: "nginx:1.28.0@sha256:eaa7e36decc3421fc04478c586dfea0d931cebe47d5bc0b15d758a32ba51126f",
  // The APPLICATION's Traefik, not deployed by this program (KoproGo's compose runs `traefik:latest`, v3): the lab
  // and the tests run this exact version in its place. v3.6.17 (2026-05-11) was the newest v3 when KoproGo's
  // compose was read (2026-05); 3.7's go.mod replaces a sub-module with a local folder that no module publishes,
  // so 3.7 cannot be built from the Go module proxy (toolchain/versions.ts).
  // Sources: a Python `TRAEFIK_IMAGE: Final` inventory (60339740843); a Coolify fencing lab's script
  // (66472266301); a hosting demo's docker-compose.demo.yml pinning `traefik:v3.6@` to it on 2026-06-03 (56713368782).
  appTraefik: "traefik:v3.6.17@sha256:802adc80a7bb20a6766c9385c2ad547f0de98564cd20d31d0b6d8f726f906f66",
} as const;

/**
 * The pins without a digest, each with the reason: only these may lack one (tests/unit/images.digests.test.ts), and
 * docs/operator/security.md "Image digests" lists the same.
 */
export const DIGEST_EXCEPTIONS: Partial<Record<keyof typeof IMAGES, string>> = {
  socketProxy:
    "one public project only pins wollomatic/socket-proxy:1.12.2 by digest (its README and a TypeScript file copied from it: sha256:ad9df818...), no second source agrees or disagrees, and no registry is reachable here to read it; Renovate's first run pins it (pinDigests on settings/images.ts). Until then the proxy's allowlist (docs/operator/security.md) holds only as long as the tag is not moved",
};

export type ImageName = keyof typeof IMAGES;

/** `repository:tag@sha256:digest` split; `tag` and `digest` undefined where the reference has none. */
export function parseImageReference(ref: string): { repository: string; tag?: string; digest?: string } {
  const at = ref.indexOf("@");
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const named = at >= 0 ? ref.slice(0, at) : ref;
  // A tag follows the last `:` after the last `/` (a registry's `host:port/` is no tag).
  const colon = named.lastIndexOf(":");
  const tag = colon > named.lastIndexOf("/") ? named.slice(colon + 1) : undefined;
  return { repository: tag === undefined ? named : named.slice(0, colon), tag, digest };
}

/** The tag of a reference, its digest left out (`prom/prometheus:v3.5.0@sha256:...` → `v3.5.0`); "" without one. */
export function imageTag(ref: string): string {
  return parseImageReference(ref).tag ?? "";
}

/** Whether the reference names its content by a sha256 digest (a registry's index or manifest). */
export function hasImageDigest(ref: string): boolean {
  return /@sha256:[a-f0-9]{64}$/.test(ref);
}

/** A tag that names an exact version: not `latest`, not a bare major like `v3`, or a sha256 digest. */
export function isExactImageReference(ref: string): boolean {
  if (hasImageDigest(ref)) return true;
  const tag = /:([^/:]+)$/.exec(ref)?.[1];
  if (!tag || tag === "latest" || tag === "main" || tag === "stable") return false;
  return /^v?\d+\.\d+\.\d+([.-][0-9A-Za-z.-]+)?$/.test(tag);
}

/** The images the program deploys: every pin but the application's Traefik, which the lab alone runs. */
export type DeployedImageName = Exclude<ImageName, "appTraefik">;
export const DEPLOYED_IMAGES = (Object.keys(IMAGES) as ImageName[]).filter(
  (name): name is DeployedImageName => name !== "appTraefik",
);

/** The image a stack runs for `name`: its `docker.images` override, else the pin above. */
export function imageOf(
  settings: { readonly docker: { readonly images: Partial<Record<DeployedImageName, string>> } },
  name: DeployedImageName,
): string {
  return settings.docker.images[name] ?? IMAGES[name];
}
