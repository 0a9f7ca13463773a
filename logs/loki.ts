/**
 * `loki/loki.yaml`: Loki 3.x as one process (`-target=all`) on the VPS, storing chunks and the TSDB index on its
 * retained volume, deleting what is older than the retention, with limits that keep it inside its memory limit on
 * a 2-core, 2 GB host. Each setting carries its reason; anything not set keeps Loki's default on purpose.
 */
import { toYaml } from "../render/yaml";
import { durationToMs, memoryToBytes, SERVICE_PORTS, type Settings } from "../settings";
import { LOKI_PATHS } from "./paths";
import { lokiStorageParts } from "./lokiStorage";

/** The first day of the schema. A fixed date in the past: changing it would orphan the stored index. */
export const LOKI_SCHEMA_FROM = "2024-01-01";

/** Whole hours of a duration, in Loki's notation (`168h`): Loki's own parser does not take `d` or `w`. */
export function lokiHours(duration: string): string {
  const ms = durationToMs(duration);
  if (ms % 3_600_000 !== 0) throw new Error(`duration \`${duration}\` must be a whole number of hours`);
  return `${ms / 3_600_000}h`;
}

/** Loki's Go memory settings in MiB, derived from the container limit. */
export function lokiMemoryBudget(settings: Settings): {
  limitMib: number;
  walReplayMib: number;
  resultsCacheMib: number;
} {
  const limitMib = Math.floor(memoryToBytes(settings.loki.memory) / 1024 ** 2);
  return {
    limitMib,
    // Replaying the WAL after a crash may not take the whole container: beyond this, Loki flushes while replaying.
    walReplayMib: Math.max(16, Math.floor(limitMib / 2)),
    // Repeated dashboard queries are answered from memory; small, because the limit is shared with the ingester.
    resultsCacheMib: Math.max(8, Math.floor(limitMib / 12)),
  };
}

export function lokiConfig(settings: Settings) {
  const { retention, limits } = settings.loki;
  const retentionHours = lokiHours(retention);
  const memory = lokiMemoryBudget(settings);
  const dir = (sub: string) => `${LOKI_PATHS.data}/${sub}`;
  // Queries may reach back as far as data is kept, plus the hour the current chunk may still be in memory.
  const storage = lokiStorageParts(settings.loki.storage, dir);
  const maxQueryLength = `${Number(retentionHours.slice(0, -1)) + 1}h`;
  return {
    // One tenant, no login: Loki is on the internal monitoring network only (contract/networks.ts), where Alloy
    // pushes and Grafana queries; nothing of the application can open a connection to it.
    auth_enabled: false,
    server: {
      http_listen_port: SERVICE_PORTS.loki,
      // gRPC is only used between Loki's own modules in this single process.
      grpc_listen_port: 9095,
      log_level: "info",
      // logfmt, so Alloy's pipeline gives Loki's own lines a `level` like the other Go services.
      log_format: "logfmt",
    },
    common: {
      // One process: the ring lives in memory and must not try to discover a network interface inside Docker.
      instance_addr: "127.0.0.1",
      path_prefix: LOKI_PATHS.data,
      replication_factor: 1,
      ring: { kvstore: { store: "inmemory" } },
      storage: storage.common,
    },
    schema_config: {
      configs: [
        // TSDB with schema v13 (Loki 3's format, required for structured metadata), one index table a day: the
        // compactor applies retention per table, so a 24h period lets it drop whole days.
        {
          from: LOKI_SCHEMA_FROM,
          store: "tsdb",
          object_store: storage.objectStore,
          schema: "v13",
          index: { prefix: "index_", period: "24h" },
        },
      ],
    },
    storage_config: {
      tsdb_shipper: { active_index_directory: dir("tsdb-index"), cache_location: dir("tsdb-cache") },
      ...storage.storageConfig,
    },
    ingester: {
      // Flush a quiet stream after 30 minutes and any chunk after 2 hours: bounded memory per stream, and at most
      // this much to replay from the WAL after a crash.
      chunk_idle_period: "30m",
      max_chunk_age: "2h",
      // ~1.5 MB compressed chunks: few files on disk without holding large chunks in memory.
      chunk_target_size: 1_572_864,
      wal: { enabled: true, dir: dir("wal"), replay_memory_ceiling: `${memory.walReplayMib}MB` },
    },
    compactor: {
      working_directory: dir("compactor"),
      // Retention is applied by the compactor: without this, logs are kept forever and fill the disk.
      retention_enabled: true,
      // Required by Loki 3 whenever retention is on (it keeps retention marks there too), on the store that holds the
      // chunks. Delete requests only ever filter queries: `limits_config.deletion_mode: filter-only`.
      delete_request_store: storage.deleteRequestStore,
      compaction_interval: "10m",
      // Chunks marked for deletion are removed after 2h, a window to stop a wrong retention change.
      retention_delete_delay: "2h",
      // The default 150 deleters are sized for object stores; a local disk needs a few.
      retention_delete_worker_count: 10,
    },
    limits_config: {
      // The retention of every stream; the compactor deletes older chunks.
      retention_period: retentionHours,
      // Logs leave Loki by retention only, so whoever reaches Loki cannot erase what an intrusion wrote into the
      // auth log: never `filter-and-delete` (the default), which deletes chunks. Not `disabled` either: with
      // retention on, Loki 3.5's query path asks the compactor for results-cache generation numbers on every query
      // (pkg/loki/modules.go, CacheGenNumberHeaderSetterMiddleware), the compactor refuses a tenant without
      // deletion ("deletion is not available for this tenant", compactor/deletion/grpc_request_handler.go) and the
      // loader logs an error on every query (compactor/generationnumber, it caches no failure): seen on a real Loki
      // 3.5.3 (issue 18), and the error-line counts of the dashboards and alerts would pick it up. With
      // `filter-only` a delete request hides matching lines from queries and nothing more: the chunks stay until
      // retention, and the request is listed by `GET /loki/api/v1/delete` and can be cancelled (`?force=true`).
      deletion_mode: "filter-only",
      ingestion_rate_mb: limits.ingestionRateMb,
      ingestion_burst_size_mb: limits.ingestionBurstSizeMb,
      per_stream_rate_limit: limits.perStreamRateLimit,
      per_stream_rate_limit_burst: limits.perStreamRateLimitBurst,
      // With one ingester the "global" limit is the real one.
      max_global_streams_per_user: limits.maxStreams,
      // Lines older than the retention would be deleted at once; refusing them spares the work.
      reject_old_samples: true,
      reject_old_samples_max_age: retentionHours,
      // A huge line (a dumped request body) is cut rather than refused, so the rest of its batch is kept.
      max_line_size: "256KB",
      max_line_size_truncate: true,
      // Loki 3 would add a `service_name` label guessed from other labels: the contract's `job` is the name.
      discover_service_name: [],
      // Structured metadata (Suricata's event_type, fail2ban's jail...) needs schema v13; this states it.
      allow_structured_metadata: true,
      max_entries_limit_per_query: limits.maxEntriesPerQuery,
      max_query_series: limits.maxQuerySeries,
      max_query_parallelism: limits.maxQueryParallelism,
      query_timeout: limits.queryTimeout,
      max_query_length: maxQueryLength,
      max_query_lookback: retentionHours,
      // Long ranges are split into 1h sub-queries that can be cached and run two at a time.
      split_queries_by_interval: "1h",
    },
    querier: {
      // As many concurrent sub-queries as cores: the VPS's CPU is shared with the application.
      max_concurrent: limits.maxQueryParallelism,
    },
    query_range: {
      results_cache: { cache: { embedded_cache: { enabled: true, max_size_mb: memory.resultsCacheMib } } },
    },
    // No ruler: alerts come from Prometheus, so Loki holds no rules and needs no Alertmanager.
    ruler: { enable_api: false },
    // Nothing leaves the VPS.
    analytics: { reporting_enabled: false },
  };
}

export function lokiYaml(settings: Settings): string {
  return `# Generated by koprogo-observability (logs/loki.ts). Do not edit on the host: the next \`pulumi up\` rewrites it.\n${toYaml(lokiConfig(settings))}`;
}
