import YAML from "yaml";
import { lokiDatasource } from "../../logs/datasource";
import { LOKI_SCHEMA_FROM, lokiConfig, lokiHours, lokiMemoryBudget, lokiYaml } from "../../logs/loki";
import { renderAll } from "../../stack/files";
import { placeholderSecrets, settingsSchema, type Settings } from "../../settings";
import { stackSettings } from "../helpers/stacks";

const prod = stackSettings("prod").settings;

function settingsWith(overrides: Record<string, unknown>): Settings {
  return settingsSchema.parse({ environment: "prod", ...overrides });
}

describe.each(["dev", "prod"])("the %s stack's loki.yaml", (stack) => {
  const file = renderAll(stackSettings(stack).settings, placeholderSecrets()).find((f) => f.path === "loki/loki.yaml")!;
  const config = YAML.parse(file.content);

  it("is rendered, holds no secret and parses to the generator's object", () => {
    expect(file.secret).toBeUndefined();
    expect(file.content).not.toMatch(/<secret:/);
    expect(config).toEqual(JSON.parse(JSON.stringify(lokiConfig(stackSettings(stack).settings))));
  });

  it("keeps logs 7 days: compactor retention on, retention_period 168h, delete requests on the filesystem", () => {
    expect(config.compactor).toEqual({
      working_directory: "/loki/compactor",
      retention_enabled: true,
      delete_request_store: "filesystem",
      compaction_interval: "10m",
      retention_delete_delay: "2h",
      retention_delete_worker_count: 10,
    });
    expect(config.limits_config.retention_period).toBe("168h");
    expect(config.limits_config.reject_old_samples_max_age).toBe("168h");
    expect(config.limits_config.max_query_lookback).toBe("168h");
  });

  it("lets delete requests only filter queries: never filter-and-delete (erases chunks), never disabled (an error per query in 3.5)", () => {
    expect(config.limits_config.deletion_mode).toBe("filter-only");
  });

  it("stores a TSDB index with schema v13 and a 24h period on the local filesystem", () => {
    expect(config.schema_config).toEqual({
      configs: [
        {
          from: LOKI_SCHEMA_FROM,
          store: "tsdb",
          object_store: "filesystem",
          schema: "v13",
          index: { prefix: "index_", period: "24h" },
        },
      ],
    });
    expect(config.storage_config).toEqual({
      tsdb_shipper: { active_index_directory: "/loki/tsdb-index", cache_location: "/loki/tsdb-cache" },
      filesystem: { directory: "/loki/chunks" },
    });
    expect(config.common.path_prefix).toBe("/loki");
  });

  it("runs as one process with an in-memory ring and no authentication (one tenant, network-internal)", () => {
    expect(config.auth_enabled).toBe(false);
    expect(config.common).toMatchObject({
      instance_addr: "127.0.0.1",
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
    });
    expect(config.server).toEqual({
      http_listen_port: 3100,
      grpc_listen_port: 9095,
      log_level: "info",
      log_format: "logfmt",
    });
    expect(config.analytics).toEqual({ reporting_enabled: false });
  });

  it("limits ingestion and queries for a 2 GB, 2-core VPS", () => {
    expect(config.limits_config).toMatchObject({
      ingestion_rate_mb: 2,
      ingestion_burst_size_mb: 4,
      per_stream_rate_limit: "512KB",
      per_stream_rate_limit_burst: "2MB",
      max_global_streams_per_user: 500,
      max_entries_limit_per_query: 5000,
      max_query_series: 500,
      max_query_parallelism: 2,
      query_timeout: "1m",
      max_query_length: "169h",
      split_queries_by_interval: "1h",
      max_line_size: "256KB",
      max_line_size_truncate: true,
      discover_service_name: [],
      allow_structured_metadata: true,
    });
    expect(config.querier).toEqual({ max_concurrent: 2 });
    expect(config.ingester).toEqual({
      chunk_idle_period: "30m",
      max_chunk_age: "2h",
      chunk_target_size: 1572864,
      wal: { enabled: true, dir: "/loki/wal", replay_memory_ceiling: "96MB" },
    });
    expect(config.query_range.results_cache.cache.embedded_cache).toEqual({ enabled: true, max_size_mb: 16 });
  });

  it("holds no rules and talks to no Alertmanager: alerts come from Prometheus", () => {
    expect(config.ruler).toEqual({ enable_api: false });
  });
});

describe("settings", () => {
  it("follows a longer retention everywhere it matters", () => {
    const config = lokiConfig(settingsWith({ loki: { retention: "14d" } }));
    expect(config.limits_config.retention_period).toBe("336h");
    expect(config.limits_config.reject_old_samples_max_age).toBe("336h");
    expect(config.limits_config.max_query_length).toBe("337h");
  });

  it("sizes the WAL replay and the results cache from the memory limit", () => {
    expect(lokiMemoryBudget(prod)).toEqual({ limitMib: 192, walReplayMib: 96, resultsCacheMib: 16 });
    expect(
      lokiMemoryBudget(settingsWith({ loki: { memory: "96m" }, docker: { memoryBudget: "2g", hostMemory: "4g" } })),
    ).toEqual({
      limitMib: 96,
      walReplayMib: 48,
      resultsCacheMib: 8,
    });
  });

  it("takes the stack's limits", () => {
    const config = lokiConfig(
      settingsWith({
        loki: {
          limits: {
            ingestionRateMb: 1,
            ingestionBurstSizeMb: 1,
            maxStreams: 100,
            queryTimeout: "30s",
            maxQueryParallelism: 1,
          },
        },
      }),
    );
    expect(config.limits_config).toMatchObject({
      ingestion_rate_mb: 1,
      ingestion_burst_size_mb: 1,
      max_global_streams_per_user: 100,
      query_timeout: "30s",
      max_query_parallelism: 1,
    });
    expect(config.querier.max_concurrent).toBe(1);
  });

  it.each([
    [{ loki: { retention: "36h" } }, "loki.retention", "whole number of days"],
    [{ loki: { retention: "7 days" } }, "loki.retention", "positive duration"],
    [
      { loki: { limits: { ingestionRateMb: 4, ingestionBurstSizeMb: 2 } } },
      "loki.limits.ingestionBurstSizeMb",
      "at least ingestionRateMb",
    ],
    [{ loki: { limits: { queryTimeout: "10m" } } }, "loki.limits.queryTimeout", "at most 5m"],
    [{ loki: { limits: { perStreamRateLimit: "1GB" } } }, "loki.limits.perStreamRateLimit", "512KB"],
    [{ loki: { limits: { maxStreams: 0 } } }, "loki.limits.maxStreams", "more than zero"],
    [{ loki: { limits: { unknown: 1 } } }, "loki.limits", "nrecognized"],
    [{ loki: { memory: "800m" } }, "docker.memoryBudget", "over the budget"],
  ])("refuses %j at %s", (overrides, keyPath, message) => {
    const result = settingsSchema.safeParse({ environment: "prod", ...overrides });
    expect(result.success).toBe(false);
    const issue = result.error!.issues.find((i) => i.path.join(".") === keyPath);
    expect(issue?.message ?? result.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")).toContain(
      message,
    );
  });

  it("writes hours for Loki, which reads no days", () => {
    expect(lokiHours("7d")).toBe("168h");
    expect(lokiHours("1w")).toBe("168h");
    expect(() => lokiHours("90m")).toThrow("whole number of hours");
  });
});

test("the file starts with a do-not-edit header", () => {
  expect(lokiYaml(prod).split("\n")[0]).toBe(
    "# Generated by koprogo-observability (logs/loki.ts). Do not edit on the host: the next `pulumi up` rewrites it.",
  );
});

test("Grafana's Loki data source reaches Loki inside the network and asks for no more than Loki's limits", () => {
  expect(lokiDatasource(prod)).toEqual({
    uid: "loki",
    name: "Loki",
    url: "http://koprogo-obs-loki:3100",
    maxLines: 1000,
    timeoutSeconds: 70,
  });
  expect(
    lokiDatasource(settingsWith({ loki: { limits: { maxEntriesPerQuery: 500, queryTimeout: "30s" } } })),
  ).toMatchObject({ maxLines: 500, timeoutSeconds: 40 });
});
