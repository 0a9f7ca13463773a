/**
 * The preflight for KoproGo's own monitoring stack (contract/oldMonitoring.ts): before any container of this stack
 * is created, a script on the Docker host looks for the old stack's containers (by name, or by image under another
 * name), for whatever holds a host port this stack publishes, and for the old stack's volumes. It refuses, naming
 * what it found, what to stop, which data to keep and where the migration is described, while an old container runs
 * that `migration.oldMonitoring.keepRunning` does not name, or while a port this stack needs is taken.
 *
 * Behaviour relied on (Docker 20.10 to 28, read in the CLI's formatter and checked on a real engine in
 * tests/lab/migration.oldMonitoring.test.ts): `docker ps --format '{{.Ports}}'` lists published ports as
 * `<host address>:<host port>-><container port>/<proto>` joined by `, ` (`0.0.0.0:9090->9090/tcp, :::9090->9090/tcp`),
 * unpublished ones without `->`; `{{.Image}}` is the reference the container was created from. A container in the
 * host's network namespace (this stack's node exporter) publishes nothing: it is seen by `ss` only.
 */
import {
  OLD_MONITORING_CONTAINERS,
  OLD_MONITORING_COMPOSE_FILE,
  type OldMonitoringContainer,
} from "../contract/oldMonitoring";
import { containerName, SERVICE_PORTS, type Settings } from "../settings";
import { shellQuote } from "./scripts";

/** A host port this stack publishes or listens on. */
export interface StackHostPort {
  readonly port: number;
  /** The host address it binds. */
  readonly address: string;
  /** The setting that moves it, for the message. */
  readonly setting: string;
  readonly what: string;
  /** This stack's container that holds it once deployed (a re-run of the preflight finds it there). */
  readonly container: string;
}

/** The host ports of this stack: Prometheus, Alertmanager and Grafana on `docker.bindAddress`, the node exporter's listen address. */
export function stackHostPorts(
  settings: Pick<Settings, "namePrefix" | "docker" | "prometheus" | "alertmanager" | "grafana" | "nodeExporter">,
): StackHostPort[] {
  const published = (["prometheus", "alertmanager", "grafana"] as const).flatMap((service) => {
    const port = settings[service].hostPort;
    return port === null
      ? []
      : [
          {
            port,
            address: settings.docker.bindAddress,
            setting: `${service}.hostPort`,
            what: service[0].toUpperCase() + service.slice(1),
            container: containerName(settings, service),
          },
        ];
  });
  return [
    ...published,
    {
      port: SERVICE_PORTS.nodeExporter,
      address: settings.nodeExporter.listenAddress,
      setting: "nodeExporter.listenAddress",
      what: "node exporter",
      container: containerName(settings, "nodeExporter"),
    },
  ];
}

/** What the preflight looks for and lets run. */
export interface OldMonitoringPlan {
  readonly containers: readonly OldMonitoringContainer[];
  readonly keepRunning: readonly string[];
  /** Containers named `<prefix>...` are this stack's own. */
  readonly ownPrefix: string;
  readonly ports: readonly StackHostPort[];
}

export function oldMonitoringPlan(
  settings: Pick<
    Settings,
    "namePrefix" | "docker" | "prometheus" | "alertmanager" | "grafana" | "nodeExporter" | "migration"
  >,
): OldMonitoringPlan {
  return {
    containers: OLD_MONITORING_CONTAINERS,
    keepRunning: settings.migration.oldMonitoring.keepRunning,
    ownPrefix: `${settings.namePrefix}-`,
    ports: stackHostPorts(settings),
  };
}

const KEEP_SETTING = "koprogo-observability:migration.oldMonitoring.keepRunning";
const DOCS = "docs/operator/migrating.md";

/** A `case` pattern word: every character quoted but none a pattern one. */
const pattern = (value: string) => shellQuote(value);

/**
 * The POSIX shell preflight, run on the Docker host as the user the engine is reached as (as root, `ss -p` also names
 * the process behind a port). Exits 0 and
 * prints what it saw when nothing stands in the way; otherwise prints every finding on stderr and exits 1, before
 * anything of this stack is created. `docker` is the CLI for the stack's engine.
 */
export function oldMonitoringPreflightScript(plan: OldMonitoringPlan, docker = "docker"): string {
  const byName = plan.containers.map((c) => `    ${pattern(c.name)}) what=${shellQuote(c.what)} ;;`);
  const byImage = plan.containers.map((c) => `    ${pattern(c.image)}) what=${shellQuote(c.what)} ;;`);
  const volumes = plan.containers.flatMap((c) => (c.volume ? [c.volume] : []));
  const checkPort = (p: StackHostPort) => [
    // This stack's own container holds it once deployed: nothing to check on a re-run.
    `if ! printf '%s\\n' "$names" | grep -qxF ${shellQuote(p.container)}; then`,
    `  holders=$(port_holders ${p.port} ${shellQuote(p.address)})`,
    `  [ -z "$holders" ] || refuse "port ${p.port} (${p.what}, ${p.setting}, on ${p.address}) is taken by$holders: stop it, or set koprogo-observability:${p.setting} to a free one"`,
    "fi",
  ];
  return [
    "set -u",
    "refused=''",
    "stop=''",
    "notes=''",
    `refuse() { refused="$refused  - $1\n"; }`,
    `note() { notes="$notes  - $1\n"; }`,
    // Two bindings clash when either is a wildcard or both are the same address.
    `clash() { case "$1" in 0.0.0.0|::|'*'|"$2") return 0 ;; esac; [ "$2" = 0.0.0.0 ]; }`,
    `if ! ps_out=$(${docker} ps --format '{{.Names}}|{{.Image}}|{{.Ports}}' 2>&1); then`,
    `  echo "preflight: cannot list the containers of the Docker engine (docker ps): $ps_out" >&2`,
    "  exit 1",
    "fi",
    `names=$(printf '%s\\n' "$ps_out" | cut -d'|' -f1)`,
    // Who holds host port $1 against our address $2: containers that are not ours (docker ps), then any other
    // listener (ss), e.g. a Prometheus installed as a package.
    "port_holders() {",
    "  found=''",
    "  while IFS='|' read -r name image ports; do",
    `    case "$name" in ${pattern(plan.ownPrefix)}*|'') continue ;; esac`,
    `    for b in $(printf '%s' "$ports" | tr ',' ' '); do`,
    `      case "$b" in *'->'*) ;; *) continue ;; esac`,
    `      hp=\${b%%->*}; hport=\${hp##*:}; haddr=\${hp%:*}`,
    `      [ "$hport" = "$1" ] && clash "$haddr" "$2" && found="$found container $name ($hp)"`,
    "    done",
    "  done <<EOF",
    "$ps_out",
    "EOF",
    `  if [ -z "$found" ] && command -v ss >/dev/null 2>&1; then`,
    `    for l in $(ss -Hltnp "sport = :$1" 2>/dev/null | awk '{ p = $6; sub(/^users:\\(\\("/, "", p); sub(/".*/, "", p); print $4 "@" p }'); do`,
    `      la=\${l%@*}; proc=\${l##*@}; la=\${la%:*}; la=\${la#[}; la=\${la%]}`,
    `      [ "$proc" = docker-proxy ] && continue`,
    `      clash "$la" "$2" && found="$found process \${proc:-unknown} ($la:$1)"`,
    "    done",
    "  fi",
    `  printf '%s' "$found"`,
    "}",
    // The old stack's containers that run: by name, else by image (the same stack under another project).
    "while IFS='|' read -r name image ports; do",
    `  case "$name" in ${pattern(plan.ownPrefix)}*|'') continue ;; esac`,
    `  repo=\${image%%@*}; case "\${repo##*/}" in *:*) repo=\${repo%:*} ;; esac; repo=\${repo#docker.io/}`,
    "  what=''",
    '  case "$name" in',
    ...byName,
    "  esac",
    '  if [ -z "$what" ]; then case "$repo" in',
    ...byImage,
    "  esac; fi",
    '  [ -n "$what" ] || continue',
    `  case ' '${shellQuote(plan.keepRunning.join(" "))}' ' in`,
    `    *" $name "*)`,
    `      public=''`,
    `      for b in $(printf '%s' "$ports" | tr ',' ' '); do case "$b" in 127.*'->'*|'[::1]:'*) ;; *'->'*) public="$public \${b%%->*}" ;; esac; done`,
    `      if [ -n "$public" ]; then refuse "$name ($what) is kept running (migration.oldMonitoring.keepRunning) but publishes$public beyond loopback, which Docker opens past UFW: remove its ports: in its Compose file (keep it on the application's network)"; else note "kept running as asked: $name ($what), no port beyond loopback"; fi ;;`,
    `    *) refuse "$name ($what, image $image) is running\${ports:+, publishing $ports}"; stop="$stop $name" ;;`,
    "  esac",
    "done <<EOF",
    "$ps_out",
    "EOF",
    ...plan.ports.flatMap(checkPort),
    `if ! vols=$(${docker} volume ls --format '{{.Name}}' 2>&1); then echo "preflight: cannot list the volumes (docker volume ls): $vols" >&2; exit 1; fi`,
    `keep=$(printf '%s\\n' "$vols" | grep -E ${shellQuote(`_(${volumes.join("|")})$`)} | tr '\\n' ' ')`,
    'if [ -n "$refused" ]; then',
    `  printf "preflight: KoproGo's own monitoring stack (or something else) stands in the way of this one on this host:\\n%b" "$refused" >&2`,
    `  [ -z "$stop" ] || echo "What to stop (its data stays in its volumes; never docker compose down -v): docker stop$stop, or in the application's folder: docker compose -f ${OLD_MONITORING_COMPOSE_FILE} stop" >&2`,
    `  [ -z "$keep" ] || echo "Data to keep (the old stack's volumes, for its retention or a rollback): $keep" >&2`,
    `  echo "To keep one of its containers running on purpose (the old cAdvisor, without a public port), list it in ${KEEP_SETTING}. Then run pulumi up again. How to migrate and roll back: ${DOCS}" >&2`,
    "  exit 1",
    "fi",
    `printf "preflight: no container of KoproGo's old monitoring stands in the way; this stack's host ports are free\\n%b" "$notes"`,
    `[ -z "$keep" ] || echo "  - old volumes found and left as they are: $keep"`,
    "exit 0",
  ].join("\n");
}
