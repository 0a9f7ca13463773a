/**
 * KoproGo's own alert rules (`infrastructure/_shared/monitoring/prometheus/alerts/koprogo.yml` of its repository,
 * kept as the fixture `tests/fixtures/koprogo/koprogo-alerts.yml`) and the alerts of this stack that take their
 * place, with why each is different where it is. `tests/unit/alerts.parity.test.ts` fails when an upstream alert has no
 * entry here, or an entry names an alert the stack does not define: migrating from KoproGo's monitoring loses no
 * alert (docs/operator/migrating.md).
 */
export interface Counterpart {
  /** The stack's alerts that cover the upstream alert. */
  readonly alerts: readonly string[];
  /** What differs, when something does. */
  readonly note?: string;
}

export const UPSTREAM_COUNTERPARTS: Readonly<Record<string, Counterpart>> = {
  HighCPUUsage: { alerts: ["HighCpu"], note: "busy above 80 % for 15m (the brief's), upstream 85 % for 5m" },
  HighMemoryUsage: {
    alerts: ["MemoryLow", "MemoryExhaustion"],
    note: "warning under 15 % available (upstream: 85 % used), critical under 100 MiB",
  },
  DiskSpaceLow: {
    alerts: ["DiskSpaceLow", "DiskFillingUp"],
    note: "every real, writable filesystem, not only /; plus the trend (predict_linear) days before it is low",
  },
  DiskSpaceCritical: { alerts: ["DiskFull"] },
  HighLoadAverage: { alerts: ["HighLoad"], note: "per instance: upstream divides by the CPUs of every host at once" },
  PostgreSQLDown: { alerts: ["DatabaseDown"], note: "also when the exporter itself is down (up == 0), for 30s" },
  PostgreSQLTooManyConnections: {
    alerts: ["DatabaseConnectionsHigh"],
    note: "a share of max_connections (80 %) instead of a fixed 12 of 15",
  },
  PostgreSQLSlowQueries: {
    alerts: ["DatabaseSlowStatements"],
    note: "upstream's pg_stat_statements_mean_exec_time_seconds is no metric of postgres_exporter; the mean is seconds over calls of its stat_statements collector",
  },
  PostgreSQLCacheHitRatioLow: {
    alerts: ["DatabaseCacheHitRatioLow"],
    note: "over a 30-minute window, not since the statistics were last reset",
  },
  PostgreSQLDeadTuplesHigh: { alerts: ["DatabaseDeadTuplesHigh"], note: "only tables with 10,000 dead rows or more" },
  ContainerDown: {
    alerts: ["ContainerDown", "TargetDown"],
    note: "upstream's expression is cAdvisor down (TargetDown here); ContainerDown is an application container gone",
  },
  ContainerHighMemory: { alerts: ["ContainerMemoryHigh"], note: "working set (what the OOM killer counts), not usage" },
  ContainerRestartingFrequently: {
    alerts: ["ContainerRestarting", "ContainerOomKilled", "HostOomKill"],
    note: "upstream's rate(container_last_seen) does not count restarts; changes() of the start time does",
  },
  BackupNotRunRecently: { alerts: ["BackupTooOld"], note: "the metric is now read (textfile collector)" },
  BackupMissing: { alerts: ["BackupMissing"] },
  HighHTTPErrorRate: {
    alerts: ["HighErrorRate", "ApiErrorBudgetBurnFast", "ApiErrorBudgetBurnSlow"],
    note: "the runbook's errors per second, and burn rates of a 99.9 % availability SLO",
  },
  HighLatency: {
    alerts: ["SlowApi"],
    note: "P99 over 1 s (the brief's), on the same Traefik histogram",
  },
  MinIODown: { alerts: ["MinioDown"] },
  MinIODiskSpaceLow: {
    alerts: ["MinioDiskSpaceLow"],
    note: "upstream's minio_cluster_disk_*_bytes are no MinIO metrics; usable capacity of the v2 cluster metrics",
  },
};
