/**
 * `alloy/config.alloy`: what Grafana Alloy ships to Loki. Three sources (Docker containers through the socket,
 * the systemd journal, the security agents' host files), one processing pipeline that gives every line a stable
 * `job` and a few low-cardinality labels (`level`, `status_class`), one writer to Loki. Labels are limited to
 * `LOG_LABELS`: anything else (IPs, user ids, paths, jails, Suricata categories) stays in the line or goes into
 * structured metadata, which Loki stores per line without creating streams.
 */
import { LOG_JOBS, LOG_LABELS, SERVICE_LOG_JOBS, STATUS_CLASSES, type LogJob } from "../contract/logs";
import {
  containerName,
  SERVICE_NAMES,
  serviceAddress,
  SOCKET_PROXY_PORT,
  socketProxyName,
  type Settings,
} from "../settings";
import {
  attr,
  block,
  documented,
  ref,
  renderAlloy,
  type AlloyBlock,
  type AlloyStatement,
  type AlloyValue,
} from "./alloySyntax";
import {
  AUTH_FORMAT,
  BACKEND_FORMAT,
  FAIL2BAN_FORMAT,
  LEVEL_ALIASES,
  LOGFMT_LEVEL,
  POSTGRES_FORMAT,
  SURICATA_FORMAT,
  TRAEFIK_FORMAT,
} from "./formats";
import {
  containsLine,
  eq,
  escapeRegex,
  logQuery,
  matches,
  matchesLine,
  notMatches,
  notMatchesLine,
  streamSelector,
} from "./logql";
import { ALLOY_PATHS } from "./paths";
import { logGatewayPushUrl } from "./gateway";
import type { HostSettings } from "../settings/scale";

/**
 * Which host an Alloy runs on, and so what it reads and where it writes. The monitoring host's reads its Docker
 * engine through the socket proxy and pushes to Loki inside the monitoring network; a further host's has no
 * socket proxy (its containers' logs are not shipped yet, docs/scaling.md) and pushes to the log gateway over
 * TLS with its own login.
 */
export interface AlloyTarget {
  /** The `host` label of every stream. */
  readonly hostLabel: string;
  /** Read the Docker engine's containers through the socket proxy. */
  readonly docker: boolean;
  readonly write: {
    readonly url: string;
    /** CA file the server's certificate is verified against. */
    readonly caFile?: string;
    /** Basic auth, the password read from a file (never in the config). */
    readonly basicAuth?: { readonly username: string; readonly passwordFile: string };
  };
}

/** The monitoring host's Alloy. */
export function monitoringHostAlloy(settings: Settings): AlloyTarget {
  return {
    hostLabel: settings.alloy.hostLabel,
    docker: true,
    write: { url: `http://${serviceAddress(settings, "loki")}/loki/api/v1/push` },
  };
}

/** A further host's Alloy: its name as `host`, the log gateway with the hosts' CA and its own login. */
export function furtherHostAlloy(settings: Settings, host: Pick<HostSettings, "name">): AlloyTarget {
  return {
    hostLabel: host.name,
    docker: false,
    write: {
      url: logGatewayPushUrl(settings),
      caFile: ALLOY_PATHS.gatewayCa,
      basicAuth: { username: host.name, passwordFile: ALLOY_PATHS.gatewayPassword },
    },
  };
}

/** Component labels, so references between blocks are written once. */
const C = {
  docker: "containers",
  journal: "journal",
  files: "host_files",
  process: "koprogo",
  write: "loki",
} as const;

const RECEIVER = ref(`loki.process.${C.process}.receiver`);

export interface ContainerJob {
  readonly container: string;
  readonly job: LogJob;
}

/** Container → job: the stack's own services by their container names, then the stack config (which wins). */
export function containerJobs(settings: Settings): ContainerJob[] {
  const byContainer = new Map<string, LogJob>();
  for (const service of SERVICE_NAMES) byContainer.set(containerName(settings, service), SERVICE_LOG_JOBS[service]);
  for (const [container, job] of Object.entries(settings.alloy.containers)) byContainer.set(container, job);
  return [...byContainer].map(([container, job]) => ({ container, job }));
}

/** Host file → job, for the files the stack config names. */
export function hostFileJobs(settings: Settings): { path: string; job: LogJob }[] {
  return (Object.entries(settings.alloy.hostFiles) as [keyof typeof settings.alloy.hostFiles, string | null][])
    .filter((entry): entry is [keyof typeof settings.alloy.hostFiles, string] => entry[1] !== null)
    .map(([key, path]) => ({ path, job: LOG_JOBS[key] }));
}

function rule(fields: {
  source_labels?: string[];
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: string;
}): AlloyBlock {
  return block(
    "rule",
    undefined,
    Object.entries(fields).map(([name, value]) => attr(name, value as AlloyValue)),
  );
}

/**
 * Docker: discovery through the socket proxy (components/socketProxy.ts: list, inspect and logs only), relabelled
 * to `container` and `job`, read through the same proxy. Alloy never holds the engine's socket.
 */
function dockerSource(settings: Settings): AlloyStatement[] {
  const host = `tcp://${socketProxyName(settings)}:${SOCKET_PROXY_PORT}`;
  return [
    documented(
      "Every container of the engine, found through the socket proxy (read-only calls only).",
      block("discovery.docker", C.docker, [attr("host", host), attr("refresh_interval", "30s")]),
    ),
    documented(
      'Container name -> `container` label, and the stable `job` of each known container (other containers: job="docker").',
      block("discovery.relabel", C.docker, [
        // Only the rules are used (by loki.source.docker); the targets list is required and left empty.
        attr("targets", []),
        rule({ source_labels: ["__meta_docker_container_name"], regex: "/(.*)", target_label: "container" }),
        rule({ target_label: "job", replacement: LOG_JOBS.docker }),
        ...containerJobs(settings).map(({ container, job }) =>
          rule({
            source_labels: ["__meta_docker_container_name"],
            regex: `/${escapeRegex(container)}`,
            target_label: "job",
            replacement: job,
          }),
        ),
      ]),
    ),
    documented(
      "Reads the containers' stdout/stderr through the proxy (json-file driver); positions live in the storage path.",
      block("loki.source.docker", C.docker, [
        attr("host", host),
        attr("targets", ref(`discovery.docker.${C.docker}.targets`)),
        attr("relabel_rules", ref(`discovery.relabel.${C.docker}.rules`)),
        attr("forward_to", [RECEIVER]),
      ]),
    ),
  ];
}

/** The systemd journal: `unit` and `level` from the journal's own fields; debug entries and duplicated units dropped. */
function journalSource(settings: Settings): AlloyStatement[] {
  if (!settings.alloy.journal.enabled) return [];
  const sshInAuthLog = settings.alloy.hostFiles.auth !== null;
  return [
    block("discovery.relabel", C.journal, [
      attr("targets", []),
      rule({ source_labels: ["__journal__systemd_unit"], target_label: "unit" }),
      rule({ source_labels: ["__journal_priority_keyword"], target_label: "level" }),
      // Priority 7 (debug) is noise for incidents and can be most of the journal's volume.
      rule({ source_labels: ["__journal_priority"], regex: "7", action: "drop" }),
      // sshd already reaches Loki through auth.log (job="auth"); under a brute-force run it would be shipped twice.
      sshInAuthLog &&
        rule({ source_labels: ["__journal__systemd_unit"], regex: "ssh\\.service|sshd\\.service", action: "drop" }),
    ]),
    documented(
      "The host's journal (persistent /var/log/journal and volatile /run/log/journal, mounted read-only).",
      block("loki.source.journal", C.journal, [
        attr("max_age", settings.alloy.journal.maxAge),
        attr("labels", { job: LOG_JOBS.journal }),
        attr("relabel_rules", ref(`discovery.relabel.${C.journal}.rules`)),
        attr("forward_to", [RECEIVER]),
      ]),
    ),
  ];
}

/** The host files (security agents), each with its `job`. */
function fileSource(settings: Settings): AlloyStatement[] {
  const files = hostFileJobs(settings);
  if (files.length === 0) return [];
  return [
    documented(
      "The host's log files by job; re-checked every 10s, so a file that appears later (an agent installed after Alloy) is picked up.",
      block("local.file_match", C.files, [
        attr(
          "path_targets",
          files.map(({ path, job }) => ({ __path__: path, job })),
        ),
        attr("sync_period", "10s"),
      ]),
    ),
    documented(
      "Tails the files. A first start begins at the end (no flood of old lines Loki would refuse); later starts resume at the saved position.",
      block("loki.source.file", C.files, [
        attr("targets", ref(`local.file_match.${C.files}.targets`)),
        attr("tail_from_end", true),
        attr("forward_to", [RECEIVER]),
      ]),
    ),
  ];
}

/** `stage.match` on a LogQL selector (with optional line filters). */
function match(selector: string, stages: readonly (AlloyBlock | undefined)[], doc?: string): AlloyBlock {
  const stageMatch = block("stage.match", undefined, [attr("selector", selector), ...stages]);
  return doc ? documented(doc, stageMatch) : stageMatch;
}

const regexStage = (expression: string, source?: string) =>
  block("stage.regex", undefined, [attr("expression", expression), source ? attr("source", source) : undefined]);
const labelsStage = (...names: string[]) =>
  block("stage.labels", undefined, [attr("values", Object.fromEntries(names.map((n) => [n, ""])))]);
const staticLabels = (values: Record<string, string>) =>
  block("stage.static_labels", undefined, [attr("values", values)]);
const structuredMetadata = (...names: string[]) =>
  block("stage.structured_metadata", undefined, [attr("values", Object.fromEntries(names.map((n) => [n, ""])))]);
const jsonStage = (expressions: Record<string, string>) =>
  block("stage.json", undefined, [attr("expressions", expressions)]);

/** The same regex with its named groups made non-capturing, for a line filter. */
function withoutCaptures(re2: string): string {
  return re2.replace(/\(\?P<[A-Za-z_][A-Za-z0-9_]*>/g, "(?:");
}

const job = (value: LogJob) => streamSelector(eq("job", value));

/** Backend: plain-text lines today (tracing's default format + actix's access log), JSON when it switches. */
function backendStages(): AlloyBlock {
  const text = logQuery(job(LOG_JOBS.api), notMatchesLine(BACKEND_FORMAT.jsonLine));
  const json = logQuery(job(LOG_JOBS.api), matchesLine(BACKEND_FORMAT.jsonLine));
  return match(
    job(LOG_JOBS.api),
    [
      // tracing_subscriber writes ANSI colours by default, even without a terminal: strip them before parsing.
      block("stage.decolorize", undefined, []),
      match(
        text,
        [
          regexStage(BACKEND_FORMAT.levelLine),
          labelsStage("level"),
          match(
            logQuery(text, containsLine(BACKEND_FORMAT.accessTarget)),
            [regexStage(BACKEND_FORMAT.accessStatusClass), labelsStage("status_class")],
            "actix-web access lines: the status class (the path and client IP stay in the line).",
          ),
        ],
        "Plain text: `<time>  LEVEL target: message`.",
      ),
      // Each JSON field is read only on lines that have it: a missing field must not become an empty label.
      match(
        json,
        [
          match(logQuery(json, containsLine('"level":')), [jsonStage({ level: "level" }), labelsStage("level")]),
          match(logQuery(json, containsLine('"status":')), [
            jsonStage({ status: "status" }),
            regexStage("^(?P<status_class>[1-5])", "status"),
            labelsStage("status_class"),
          ]),
        ],
        "JSON lines (the planned structured format): `level` and the HTTP status.",
      ),
    ],
    "koprogo-api (the backend container).",
  );
}

function postgresStages(): AlloyBlock {
  return match(
    job(LOG_JOBS.postgres),
    [regexStage(POSTGRES_FORMAT.levelLine), labelsStage("level")],
    "postgresql: the severity of `<time> [pid] SEVERITY:  message` (not logfmt, whatever the runbook said).",
  );
}

function traefikStages(): AlloyBlock {
  const traefik = job(LOG_JOBS.traefik);
  return match(
    traefik,
    [
      match(
        logQuery(traefik, matchesLine(TRAEFIK_FORMAT.accessLine)),
        [regexStage(TRAEFIK_FORMAT.accessStatusClass), labelsStage("status_class")],
        "Access log, Common Log Format: the status class.",
      ),
      match(
        logQuery(traefik, containsLine(TRAEFIK_FORMAT.jsonAccessLine)),
        [
          jsonStage({ status: "DownstreamStatus" }),
          regexStage("^(?P<status_class>[1-5])", "status"),
          labelsStage("status_class"),
        ],
        "Access log, JSON format.",
      ),
      match(
        logQuery(traefik, matchesLine(withoutCaptures(TRAEFIK_FORMAT.consoleLine))),
        [regexStage(TRAEFIK_FORMAT.consoleLine), labelsStage("level")],
        "Traefik v3's own log (console format).",
      ),
      match(
        logQuery(traefik, matchesLine(String.raw`^\{`), containsLine('"level":')),
        [jsonStage({ level: "level" }), labelsStage("level")],
        "Traefik's own log in JSON.",
      ),
    ],
    "traefik: access lines get `status_class`, its own log lines `level` (logfmt lines: see below).",
  );
}

/** The Go services of the stack, CrowdSec and Traefik v2 log in logfmt with a `level` key. */
function logfmtStages(): AlloyBlock {
  const jobs = [...new Set<LogJob>([...Object.values(SERVICE_LOG_JOBS), LOG_JOBS.crowdsec, LOG_JOBS.traefik])];
  return match(
    logQuery(streamSelector(matches("job", jobs.join("|"))), matchesLine(LOGFMT_LEVEL)),
    [block("stage.logfmt", undefined, [attr("mapping", { level: "" })]), labelsStage("level")],
    "logfmt lines (Prometheus, Alertmanager, Loki, Alloy, Grafana, the exporters, CrowdSec, Traefik v2): `level`.",
  );
}

function fail2banStages(): AlloyBlock {
  return match(
    job(LOG_JOBS.fail2ban),
    [
      regexStage(FAIL2BAN_FORMAT.levelLine),
      labelsStage("level"),
      regexStage(FAIL2BAN_FORMAT.jailAction),
      structuredMetadata("jail", "action"),
    ],
    "fail2ban: level; jail and action (Ban/Unban/Found) as structured metadata, the banned IP stays in the line.",
  );
}

function authStages(): AlloyBlock {
  const auth = job(LOG_JOBS.auth);
  return match(
    auth,
    [
      regexStage(AUTH_FORMAT.program),
      structuredMetadata("program"),
      match(logQuery(auth, matchesLine(AUTH_FORMAT.failure)), [staticLabels({ level: "warn" })]),
    ],
    "auth.log: the program (sshd, sudo...) as structured metadata; failed logins are level=warn.",
  );
}

function suricataStages(settings: Settings): AlloyBlock {
  const suricata = job(LOG_JOBS.suricata);
  const dropped = settings.alloy.suricataDropEventTypes;
  return match(
    suricata,
    [
      jsonStage({ event_type: "event_type", timestamp: "timestamp" }),
      dropped.length > 0
        ? block("stage.drop", undefined, [
            attr("source", "event_type"),
            attr("expression", `^(${dropped.join("|")})$`),
            attr("drop_counter_reason", "suricata_event_type"),
          ])
        : undefined,
      // Lines read after a restart keep the time Suricata saw the event.
      block("stage.timestamp", undefined, [
        attr("source", "timestamp"),
        attr("format", SURICATA_FORMAT.timestampLayout),
      ]),
      structuredMetadata("event_type"),
      match(logQuery(suricata, containsLine(SURICATA_FORMAT.alertLine)), [
        jsonStage({
          alert_category: "alert.category",
          alert_signature_id: "alert.signature_id",
          alert_severity: "alert.severity",
        }),
        structuredMetadata("alert_category", "alert_signature_id", "alert_severity"),
        staticLabels({ level: "warn" }),
      ]),
    ],
    "suricata (eve.json): event_type and the alert's category/signature/severity as structured metadata, never labels (categories and signatures are many; IPs are personal data).",
  );
}

/** Folds every source's severity word into the contract's levels; any other value loses the label. */
function levelNormalisation(): AlloyBlock[] {
  const known = Object.keys(LEVEL_ALIASES).join("|");
  return [
    ...Object.entries(LEVEL_ALIASES).map(([level, aliases]) =>
      match(streamSelector(matches("level", `(?i)${aliases.join("|")}`)), [staticLabels({ level })]),
    ),
    match(streamSelector(matches("level", ".+"), notMatches("level", known)), [
      block("stage.label_drop", undefined, [attr("values", ["level"])]),
    ]),
  ];
}

/** `status_class` holds the status's first digit until here. */
function statusClassNormalisation(): AlloyBlock[] {
  return STATUS_CLASSES.map((cls) =>
    match(streamSelector(eq("status_class", cls[0])), [staticLabels({ status_class: cls })]),
  );
}

function processPipeline(settings: Settings): AlloyBlock {
  return documented(
    "One pipeline for every source: per-job parsing, then the label values folded into the contract's few values.",
    block("loki.process", C.process, [
      attr("forward_to", [ref(`loki.write.${C.write}.receiver`)]),
      backendStages(),
      postgresStages(),
      traefikStages(),
      logfmtStages(),
      fail2banStages(),
      authStages(),
      suricataStages(settings),
      ...levelNormalisation(),
      ...statusClassNormalisation(),
      // The contract's labels only: drops `filename` (added by the file source) and anything a mistake adds.
      block("stage.label_keep", undefined, [attr("values", [...LOG_LABELS])]),
    ]),
  );
}

function lokiWrite(settings: Settings, target: AlloyTarget): AlloyBlock {
  const { basicAuth, caFile } = target.write;
  return documented(
    basicAuth
      ? "Pushes to Loki through the log gateway (TLS verified against the hosts' CA, this host's login)."
      : "Pushes to Loki inside the Docker network.",
    block("loki.write", C.write, [
      block("endpoint", undefined, [
        attr("url", target.write.url),
        basicAuth
          ? block("basic_auth", undefined, [
              attr("username", basicAuth.username),
              attr("password_file", basicAuth.passwordFile),
            ])
          : undefined,
        caFile ? block("tls_config", undefined, [attr("ca_file", caFile), attr("min_version", "TLS12")]) : undefined,
        // 20 retries with backoff capped at 5m ride out a Loki restart or upgrade (about an hour) before a batch
        // is dropped; meanwhile the sources wait and their positions do not advance.
        attr("max_backoff_period", "5m"),
        attr("max_backoff_retries", 20),
      ]),
      attr("external_labels", { environment: settings.environment, host: target.hostLabel }),
    ]),
  );
}

export function alloyConfig(settings: Settings, target: AlloyTarget = monitoringHostAlloy(settings)): AlloyStatement[] {
  return [
    documented(
      'Alloy\'s own log in logfmt, parsed like the other Go services (job="alloy").',
      block("logging", undefined, [attr("level", "info"), attr("format", "logfmt")]),
    ),
    ...(target.docker ? dockerSource(settings) : []),
    ...journalSource(settings),
    ...fileSource(settings),
    processPipeline(settings),
    lokiWrite(settings, target),
  ];
}

export function alloyConfigText(settings: Settings, target: AlloyTarget = monitoringHostAlloy(settings)): string {
  return `// Generated by koprogo-observability (logs/alloy.ts). Do not edit on the host: the next \`pulumi up\` rewrites it.\n${renderAlloy(alloyConfig(settings, target))}`;
}
