import { LOG_LABELS, LOG_LEVELS, STATUS_CLASSES } from "../../contract/logs";
import { alloyConfig, alloyConfigText, containerJobs, hostFileJobs } from "../../logs/alloy";
import type { AlloyBlock, AlloyStatement, AlloyValue } from "../../logs/alloySyntax";
import { settingsSchema, type Settings } from "../../settings";
import { runPipeline } from "../helpers/alloyPipeline";
import { parseAlloy, withoutComments } from "../helpers/alloyParser";
import { stackSettings } from "../helpers/stacks";

const prod = stackSettings("prod").settings;
const dev = stackSettings("dev").settings;

function settingsWith(overrides: Record<string, unknown>): Settings {
  return settingsSchema.parse({ environment: "prod", ...overrides });
}

function blocks(statements: readonly AlloyStatement[], name: string): AlloyBlock[] {
  return statements.filter((s): s is AlloyBlock => s.kind === "block" && s.name === name);
}
function component(settings: Settings, name: string): AlloyBlock {
  const found = blocks(alloyConfig(settings), name);
  if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length}`);
  return found[0];
}
function value(b: AlloyBlock, name: string): AlloyValue | undefined {
  const a = b.body.find((s) => s.kind === "attribute" && s.name === name);
  return a?.kind === "attribute" ? a.value : undefined;
}
function rules(b: AlloyBlock): Record<string, AlloyValue>[] {
  return blocks(b.body, "rule").map((r) =>
    Object.fromEntries(r.body.flatMap((s) => (s.kind === "attribute" ? [[s.name, s.value]] : []))),
  );
}
/** Prometheus relabelling (replace and drop, the actions the generator uses), to check the rules' effect. */
function relabel(ruleList: Record<string, AlloyValue>[], input: Record<string, string>): Record<string, string> | null {
  const labels = { ...input };
  for (const r of ruleList) {
    const source = ((r.source_labels as string[] | undefined) ?? []).map((l) => labels[l] ?? "").join(";");
    const match = new RegExp(`^(?:${(r.regex as string | undefined) ?? "(.*)"})$`).exec(source);
    if ((r.action ?? "replace") === "drop") {
      if (match) return null;
      continue;
    }
    if (match)
      labels[r.target_label as string] = ((r.replacement as string | undefined) ?? "$1").replace(
        /\$(\d)/g,
        (_, i: string) => match[Number(i)] ?? "",
      );
  }
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith("__")));
}

describe("the Docker source", () => {
  const discovery = component(prod, "discovery.docker");
  const relabelBlock = blocks(alloyConfig(prod), "discovery.relabel").find((b) => b.label === "containers")!;
  const source = component(prod, "loki.source.docker");

  it("discovers and reads through the socket proxy, never a Docker socket of its own", () => {
    expect(value(discovery, "host")).toBe("tcp://koprogo-obs-socket-proxy:2375");
    expect(value(source, "host")).toBe("tcp://koprogo-obs-socket-proxy:2375");
    expect((value(source, "targets") as { path: string }).path).toBe("discovery.docker.containers.targets");
    expect((value(source, "relabel_rules") as { path: string }).path).toBe("discovery.relabel.containers.rules");
    expect((value(source, "forward_to") as { path: string }[]).map((r) => r.path)).toEqual([
      "loki.process.koprogo.receiver",
    ]);
  });

  it.each([
    ["/koprogo-backend", "koprogo-api"],
    ["/koprogo-postgres", "postgresql"],
    ["/koprogo-traefik", "traefik"],
    ["/koprogo-obs-prometheus", "prometheus"],
    ["/koprogo-obs-alertmanager", "alertmanager"],
    ["/koprogo-obs-node-exporter", "node"],
    ["/koprogo-obs-postgres-exporter", "postgres-exporter"],
    ["/koprogo-obs-loki", "loki"],
    ["/koprogo-obs-alloy", "alloy"],
    ["/koprogo-obs-grafana", "grafana"],
    ["/koprogo-frontend", "docker"],
    ["/koprogo-minio", "docker"],
    ["/koprogo-backend-old", "docker"],
  ])("labels container %s with job %s", (name, job) => {
    expect(
      relabel(rules(relabelBlock), { __meta_docker_container_name: name, __meta_docker_container_id: "abc" }),
    ).toEqual({ container: name.slice(1), job });
  });

  it("maps containers from the stack config, escaping regex characters in their names", () => {
    const settings = settingsWith({ alloy: { containers: { "api.v2": "koprogo-api" } } });
    const relabelRules = rules(
      blocks(alloyConfig(settings), "discovery.relabel").find((b) => b.label === "containers")!,
    );
    expect(relabelRules).toContainEqual({
      source_labels: ["__meta_docker_container_name"],
      regex: "/api\\.v2",
      target_label: "job",
      replacement: "koprogo-api",
    });
    expect(relabel(relabelRules, { __meta_docker_container_name: "/apiXv2" })).toEqual({
      container: "apiXv2",
      job: "docker",
    });
    // The application's defaults are replaced, not merged: the stack config says which containers exist.
    expect(containerJobs(settings).map((c) => c.container)).not.toContain("koprogo-backend");
  });

  it("follows the stack's name prefix for its own services", () => {
    const settings = settingsWith({ namePrefix: "obs-staging" });
    expect(containerJobs(settings)).toContainEqual({ container: "obs-staging-loki", job: "loki" });
  });
});

describe("the journal source", () => {
  const relabelBlock = blocks(alloyConfig(prod), "discovery.relabel").find((b) => b.label === "journal")!;
  const source = component(prod, "loki.source.journal");

  it("reads 12h back at most, under job systemd-journal", () => {
    expect(value(source, "max_age")).toBe("12h");
    expect(value(source, "labels")).toEqual({ job: "systemd-journal" });
    expect((value(source, "relabel_rules") as { path: string }).path).toBe("discovery.relabel.journal.rules");
  });

  it("labels the unit and the level, drops debug entries and sshd (shipped through auth.log)", () => {
    const r = rules(relabelBlock);
    expect(
      relabel(r, {
        __journal__systemd_unit: "docker.service",
        __journal_priority_keyword: "err",
        __journal_priority: "3",
      }),
    ).toEqual({ unit: "docker.service", level: "err" });
    expect(
      relabel(r, {
        __journal__systemd_unit: "docker.service",
        __journal_priority_keyword: "debug",
        __journal_priority: "7",
      }),
    ).toBeNull();
    expect(
      relabel(r, {
        __journal__systemd_unit: "ssh.service",
        __journal_priority_keyword: "info",
        __journal_priority: "6",
      }),
    ).toBeNull();
  });

  it("keeps sshd's journal entries when auth.log is not shipped", () => {
    const settings = settingsWith({ alloy: { hostFiles: { auth: null } } });
    const r = rules(blocks(alloyConfig(settings), "discovery.relabel").find((b) => b.label === "journal")!);
    expect(
      relabel(r, {
        __journal__systemd_unit: "ssh.service",
        __journal_priority_keyword: "info",
        __journal_priority: "6",
      }),
    ).toEqual({ unit: "ssh.service", level: "info" });
  });

  it("is left out when the stack turns it off", () => {
    const settings = settingsWith({ alloy: { journal: { enabled: false } } });
    expect(blocks(alloyConfig(settings), "loki.source.journal")).toHaveLength(0);
    expect(alloyConfigText(settings)).not.toContain("journal");
  });
});

describe("the host files source", () => {
  it("tails the agents' files with their jobs by default, from the end on a first start", () => {
    const match = component(prod, "local.file_match");
    expect(value(match, "path_targets")).toEqual([
      { __path__: "/var/log/suricata/eve.json", job: "suricata" },
      { __path__: "/var/log/fail2ban.log", job: "fail2ban" },
      { __path__: "/var/log/auth.log", job: "auth" },
      { __path__: "/var/log/crowdsec.log", job: "crowdsec" },
    ]);
    const source = component(prod, "loki.source.file");
    expect(value(source, "tail_from_end")).toBe(true);
    expect((value(source, "targets") as { path: string }).path).toBe("local.file_match.host_files.targets");
  });

  it("adds the backend and PostgreSQL files of a systemd host, and leaves out files set to null", () => {
    const settings = settingsWith({
      alloy: {
        hostFiles: {
          api: "/var/log/koprogo/api.log",
          postgres: "/var/log/postgresql/postgresql-15-main.log",
          crowdsec: null,
        },
      },
    });
    expect(hostFileJobs(settings)).toEqual([
      { path: "/var/log/suricata/eve.json", job: "suricata" },
      { path: "/var/log/fail2ban.log", job: "fail2ban" },
      { path: "/var/log/auth.log", job: "auth" },
      { path: "/var/log/koprogo/api.log", job: "koprogo-api" },
      { path: "/var/log/postgresql/postgresql-15-main.log", job: "postgresql" },
    ]);
  });

  it("writes no file source when every file is off", () => {
    const settings = settingsWith({
      alloy: { hostFiles: { suricata: null, fail2ban: null, auth: null, crowdsec: null } },
    });
    expect(blocks(alloyConfig(settings), "loki.source.file")).toHaveLength(0);
    expect(blocks(alloyConfig(settings), "local.file_match")).toHaveLength(0);
  });
});

describe("the writer", () => {
  it("pushes to Loki inside the Docker network with environment and host labels", () => {
    const write = component(prod, "loki.write");
    const endpoint = blocks(write.body, "endpoint")[0];
    expect(value(endpoint, "url")).toBe("http://koprogo-obs-loki:3100/loki/api/v1/push");
    expect(value(endpoint, "max_backoff_retries")).toBe(20);
    expect(value(endpoint, "max_backoff_period")).toBe("5m");
    expect(value(write, "external_labels")).toEqual({ environment: "prod", host: "vps" });
    expect(value(component(dev, "loki.write"), "external_labels")).toEqual({ environment: "dev", host: "vps" });
  });

  it("pushes to the overridden address of an e2e stack", () => {
    const settings = settingsWith({ environment: "e2e", serviceAddresses: { loki: "127.0.0.1:43100" } });
    expect(value(blocks(component(settings, "loki.write").body, "endpoint")[0], "url")).toBe(
      "http://127.0.0.1:43100/loki/api/v1/push",
    );
  });
});

describe("the pipeline on real lines", () => {
  const process = component(prod, "loki.process");
  const IP = "203.0.113.7";
  const ESC = "\u001b";

  it.each([
    // The backend (tracing_subscriber default format, actix-web access log), in the container koprogo-backend.
    [
      "koprogo-api",
      "2025-11-20T10:15:30.123456Z  INFO koprogo_api: Starting server at 0.0.0.0:8080 with 2 workers",
      { level: "info" },
    ],
    [
      "koprogo-api",
      `2025-11-20T10:15:31.000001Z  INFO actix_web::middleware::logger: ${IP} "GET /api/v1/buildings?page=2 HTTP/1.1" 200 523 "-" "Mozilla/5.0" 0.004512`,
      { level: "info", status_class: "2xx" },
    ],
    [
      "koprogo-api",
      `2025-11-20T10:15:31.000001Z  INFO actix_web::middleware::logger: ${IP} "POST /api/v1/auth/login HTTP/1.1" 401 61 "-" "curl/8.5.0" 0.101000`,
      { level: "info", status_class: "4xx" },
    ],
    [
      "koprogo-api",
      `${ESC}[2m2025-11-20T10:15:32.5Z${ESC}[0m ${ESC}[31mERROR${ESC}[0m ${ESC}[2mkoprogo_api::seed${ESC}[0m${ESC}[2m:${ESC}[0m Failed to seed superadmin: pool timed out`,
      { level: "error" },
    ],
    [
      "koprogo-api",
      "2025-11-20T10:15:33Z  WARN koprogo_api: JWT_SECRET has low character diversity (8 unique chars).",
      { level: "warn" },
    ],
    ["koprogo-api", "thread 'actix-rt|system:0|arbiter:1' panicked at src/main.rs:10:5:", {}],
    [
      "koprogo-api",
      '{"timestamp":"2025-11-20T10:15:33Z","level":"WARN","target":"koprogo_api","fields":{"message":"slow"}}',
      { level: "warn" },
    ],
    [
      "koprogo-api",
      '{"timestamp":"2025-11-20T10:15:33Z","level":"INFO","status":503,"path":"/api/v1/x"}',
      { level: "info", status_class: "5xx" },
    ],
    ["koprogo-api", '{"timestamp":"2025-11-20T10:15:33Z","fields":{"message":"no level, no status"}}', {}],
    // PostgreSQL (postgres:15-alpine; Debian's prefix adds user@db).
    [
      "postgresql",
      '2025-11-20 10:15:30.123 UTC [42] ERROR:  relation "x" does not exist at character 15',
      { level: "error" },
    ],
    [
      "postgresql",
      '2025-11-20 10:15:30.123 UTC [43] FATAL:  password authentication failed for user "koprogo"',
      { level: "error" },
    ],
    // With the stack's log_line_prefix (`%m [%p] %h%q `): the client's address before the severity.
    [
      "postgresql",
      '2025-11-20 10:15:30.123 UTC [43] 198.51.100.9 FATAL:  password authentication failed for user "koprogo"',
      { level: "error" },
    ],
    [
      "postgresql",
      "2025-11-20 10:15:30.123 UTC [1] LOG:  database system is ready to accept connections",
      { level: "info" },
    ],
    [
      "postgresql",
      "2025-11-20 10:15:30.123 UTC [42] koprogo@koprogo_db WARNING:  there is no transaction in progress",
      { level: "warn" },
    ],
    ["postgresql", "2025-11-20 10:15:30.123 UTC [42] STATEMENT:  SELECT * FROM x", {}],
    // Traefik: CLF and JSON access lines, v2 logfmt, v3 console.
    [
      "traefik",
      `${IP} - - [20/Nov/2025:10:15:30 +0000] "GET /api/v1/buildings HTTP/2.0" 502 11 "-" "curl/8.5.0" 1234 "backend@docker" "http://172.18.0.5:8080" 3ms`,
      { status_class: "5xx" },
    ],
    [
      "traefik",
      `{"ClientHost":"${IP}","DownstreamStatus":404,"RequestPath":"/x","level":"info"}`,
      { status_class: "4xx", level: "info" },
    ],
    [
      "traefik",
      'time="2025-11-20T10:15:30Z" level=error msg="Error while Peeking first byte: read tcp: i/o timeout"',
      { level: "error" },
    ],
    ["traefik", "2025-11-20T10:15:30Z WRN Router uses a non-existent service", { level: "warn" }],
    // The stack's own Go services (logfmt).
    [
      "prometheus",
      'time=2025-11-20T10:15:30.000Z level=INFO source=main.go:1 msg="Server is ready to receive web requests."',
      { level: "info" },
    ],
    ["loki", 'level=warn ts=2025-11-20T10:15:30Z caller=x.go:1 msg="slow query"', { level: "warn" }],
    [
      "grafana",
      'logger=context userId=1 orgId=1 t=2025-11-20T10:15:30Z level=eror msg="Request error"',
      { level: "error" },
    ],
    ["alloy", 'ts=2025-11-20T10:15:30Z level=debug msg="tailer running"', { level: "debug" }],
  ])("%s: %s", (job, line, expected) => {
    const container =
      { "koprogo-api": "koprogo-backend", postgresql: "koprogo-postgres", traefik: "koprogo-traefik" }[job] ??
      `koprogo-obs-${job}`;
    const entry = runPipeline(process, { job, container }, line);
    expect(entry.dropped).toBe(false);
    expect(entry.labels).toEqual({ job, container, ...expected });
  });

  it("does not parse the lines of a container without a known job (its format is unknown)", () => {
    expect(runPipeline(process, { job: "docker", container: "koprogo-frontend" }, "level=error msg=x").labels).toEqual({
      job: "docker",
      container: "koprogo-frontend",
    });
  });

  it.each([
    [
      "2025-11-20 10:15:30,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 203.0.113.7",
      { level: "info" },
      { jail: "sshd", action: "Ban" },
    ],
    [
      "2025-11-20 10:15:29,001 fail2ban.filter         [812]: INFO    [api-abuse] Found 203.0.113.7 - 2025-11-20 10:15:29",
      { level: "info" },
      { jail: "api-abuse", action: "Found" },
    ],
    [
      "2025-11-20 10:15:31,000 fail2ban.actions        [812]: ERROR   Failed to execute ban jail 'sshd' action 'iptables'",
      { level: "error" },
      {},
    ],
  ])("fail2ban: %s", (line, labels, metadata) => {
    const entry = runPipeline(process, { job: "fail2ban", filename: "/var/log/fail2ban.log" }, line);
    expect(entry.labels).toEqual({ job: "fail2ban", ...labels });
    expect(entry.metadata).toEqual(metadata);
  });

  it.each([
    [
      `Nov 20 10:15:30 vps sshd[1234]: Failed password for invalid user admin from ${IP} port 52814 ssh2`,
      { level: "warn" },
      { program: "sshd" },
    ],
    [
      "2025-11-20T10:15:30.123456+00:00 vps sudo: deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/docker ps",
      {},
      { program: "sudo" },
    ],
    [
      "Nov  2 10:15:30 vps CRON[99]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
      {},
      { program: "CRON" },
    ],
  ])("auth.log: %s", (line, labels, metadata) => {
    const entry = runPipeline(process, { job: "auth", filename: "/var/log/auth.log" }, line);
    expect(entry.labels).toEqual({ job: "auth", ...labels });
    expect(entry.metadata).toEqual(metadata);
  });

  it("suricata: an alert gets level warn, its category and signature as structured metadata, and no IP anywhere but the line", () => {
    const line = JSON.stringify({
      timestamp: "2025-11-20T10:15:30.123456+0000",
      flow_id: 1,
      event_type: "alert",
      src_ip: IP,
      dest_ip: "10.0.0.2",
      alert: {
        action: "allowed",
        signature_id: 2006446,
        signature: "ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT",
        category: "Web Application Attack",
        severity: 1,
      },
    });
    const entry = runPipeline(process, { job: "suricata", filename: "/var/log/suricata/eve.json" }, line);
    expect(entry.labels).toEqual({ job: "suricata", level: "warn" });
    expect(entry.metadata).toEqual({
      event_type: "alert",
      alert_category: "Web Application Attack",
      alert_signature_id: "2006446",
      alert_severity: "1",
    });
  });

  it.each(["flow", "netflow", "stats"])("suricata: drops %s events", (eventType) => {
    expect(
      runPipeline(
        process,
        { job: "suricata" },
        JSON.stringify({ timestamp: "2025-11-20T10:15:30.123456+0000", event_type: eventType }),
      ).dropped,
    ).toBe(true);
  });

  it("suricata: keeps other events without a level", () => {
    const entry = runPipeline(
      process,
      { job: "suricata" },
      JSON.stringify({ timestamp: "2025-11-20T10:15:30.123456+0000", event_type: "dns", src_ip: IP }),
    );
    expect(entry.dropped).toBe(false);
    expect(entry.labels).toEqual({ job: "suricata" });
    expect(entry.metadata).toEqual({ event_type: "dns" });
  });

  it("suricata: ships flow events when the stack config keeps them", () => {
    const keep = component(settingsWith({ alloy: { suricataDropEventTypes: [] } }), "loki.process");
    expect(runPipeline(keep, { job: "suricata" }, JSON.stringify({ event_type: "flow" })).dropped).toBe(false);
  });

  it.each([
    ["emerg", "error"],
    ["alert", "error"],
    ["crit", "error"],
    ["err", "error"],
    ["error", "error"],
    ["warning", "warn"],
    ["notice", "info"],
    ["info", "info"],
  ])("journal priority %s becomes level %s", (keyword, level) => {
    expect(
      runPipeline(process, { job: "systemd-journal", unit: "docker.service", level: keyword }, "msg").labels,
    ).toEqual({ job: "systemd-journal", unit: "docker.service", level });
  });

  it("crowdsec (logfmt): level warning becomes warn", () => {
    expect(
      runPipeline(process, { job: "crowdsec" }, 'time="2025-11-20T10:15:30Z" level=warning msg="ip 203.0.113.7 banned"')
        .labels,
    ).toEqual({ job: "crowdsec", level: "warn" });
  });

  it("drops a level outside the contract and every label outside LOG_LABELS", () => {
    const entry = runPipeline(
      process,
      { job: "postgresql", filename: "/x", stream: "stderr" },
      "2025-11-20 10:15:30.123 UTC [42] DETAIL:  Key (id)=(1) already exists.",
    );
    expect(entry.labels).toEqual({ job: "postgresql" });
  });

  it("ends with label_keep of exactly the contract's labels", () => {
    const last = process.body[process.body.length - 1];
    expect(last).toMatchObject({ kind: "block", name: "stage.label_keep" });
    expect(value(last as AlloyBlock, "values")).toEqual([...LOG_LABELS]);
  });

  it("sets only the contract's label values", () => {
    const labelValues = new Map<string, Set<string>>();
    const visit = (statements: readonly AlloyStatement[]) => {
      for (const s of statements) {
        if (s.kind !== "block") continue;
        if (s.name === "stage.static_labels")
          for (const [k, v] of Object.entries(value(s, "values") as Record<string, string>))
            labelValues.set(k, (labelValues.get(k) ?? new Set()).add(v));
        if (s.name === "stage.labels")
          for (const k of Object.keys(value(s, "values") as Record<string, string>))
            expect(["level", "status_class"]).toContain(k);
        visit(s.body);
      }
    };
    visit(process.body);
    expect([...labelValues.keys()].sort()).toEqual(["level", "status_class"]);
    for (const v of labelValues.get("level")!) expect(LOG_LEVELS).toContain(v);
    for (const v of labelValues.get("status_class")!) expect(STATUS_CLASSES).toContain(v);
  });
});

describe("settings", () => {
  it.each([
    [{ alloy: { containers: { "koprogo-backend": "backend" } } }, "alloy.containers.koprogo-backend"],
    [{ alloy: { containers: { "bad name": "koprogo-api" } } }, "alloy.containers.bad name"],
    [{ alloy: { hostFiles: { auth: "/home/x/auth.log" } } }, "alloy.hostFiles.auth"],
    [{ alloy: { hostFiles: { auth: "/var/log/../etc/shadow" } } }, "alloy.hostFiles.auth"],
    [{ alloy: { hostFiles: { suricata: "/var/log/suricata/*.json" } } }, "alloy.hostFiles.suricata"],
    [{ alloy: { hostFiles: { nginx: "/var/log/nginx.log" } } }, "alloy.hostFiles"],
    [{ alloy: { suricataDropEventTypes: ["Flow!"] } }, "alloy.suricataDropEventTypes.0"],
    [{ alloy: { hostLabel: "VPS 1" } }, "alloy.hostLabel"],
    [{ alloy: { dockerSocket: "docker.sock" } }, "alloy.dockerSocket"],
    [{ alloy: { journal: { maxAge: "forever" } } }, "alloy.journal.maxAge"],
  ])("refuses %j at %s", (overrides, keyPath) => {
    const result = settingsSchema.safeParse({ environment: "prod", ...overrides });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join("."))).toContain(keyPath);
  });
});

describe("the rendered file", () => {
  it("declares each component once (Alloy refuses a repeated name and label)", () => {
    const ids = alloyConfig(prod).flatMap((s) =>
      s.kind === "block" && s.label !== undefined ? [`${s.name}.${s.label}`] : [],
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([
      "discovery.docker.containers",
      "discovery.relabel.containers",
      "loki.source.docker.containers",
      "discovery.relabel.journal",
      "loki.source.journal.journal",
      "local.file_match.host_files",
      "loki.source.file.host_files",
      "loki.process.koprogo",
      "loki.write.loki",
    ]);
  });

  it("refers only to components it declares", () => {
    const text = alloyConfigText(prod);
    const declared = new Set([...text.matchAll(/^([a-z_.]+) "([a-z_]+)" \{/gm)].map((m) => `${m[1]}.${m[2]}`));
    const references = [
      ...text.matchAll(/= (?:\[)?((?:discovery|loki|local)\.[a-z_.]+)\.(targets|rules|receiver)/g),
    ].map((m) => m[1]);
    expect(references.length).toBeGreaterThan(5);
    for (const reference of references) expect(declared).toContain(reference);
  });

  it("writes the Loki writer block exactly", () => {
    expect(alloyConfigText(prod)).toContain(
      [
        "// Pushes to Loki inside the Docker network.",
        'loki.write "loki" {',
        "  endpoint {",
        '    url = "http://koprogo-obs-loki:3100/loki/api/v1/push"',
        '    max_backoff_period = "5m"',
        "    max_backoff_retries = 20",
        "  }",
        '  external_labels = { environment = "prod", host = "vps" }',
        "}",
      ].join("\n"),
    );
  });
});

describe("config.alloy read back", () => {
  it.each([
    ["dev", dev],
    ["prod", prod],
  ] as const)("the %s stack's file parses to exactly the generator's tree", (_, settings) => {
    expect(parseAlloy(alloyConfigText(settings))).toEqual(withoutComments(alloyConfig(settings)));
  });
});
