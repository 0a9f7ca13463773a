/**
 * The durations the alerting rules are built on: each alert's `for` and the range windows of its expressions. They
 * are the rules' (alerts/config.ts reads them into the one monitoring config), and they sit here, below the
 * settings, because the settings refuse a scrape or evaluation interval that would make them mean nothing
 * (settings/timing.ts).
 */

/**
 * How long a condition must hold before its alert fires. Long enough that a blip (a restart, one slow scrape)
 * does not page anyone; short where every second of outage counts. `ApiDown` and `DatabaseDown` are the brief's.
 */
export const FOR = {
  apiDown: "1m",
  databaseDown: "30s",
  diskFull: "5m",
  highErrorRate: "5m",
  memoryExhaustion: "5m",
  slowApi: "10m",
  highCpu: "15m",
  databaseConnectionsHigh: "5m",
  /** A monitoring service or exporter down: its own data is missing, not the product's. */
  targetDown: "5m",
  /** Failures that a retry usually clears: wait for them to persist. */
  selfMonitoringFailure: "10m",
  /** Compactions run every two hours: failures over two cycles, not one that the next compaction repairs. */
  tsdbCompactionsFailing: "4h",
  /** The dead man's switch fires from the first evaluation. */
  watchdog: "0s",
  /** Loki down this long before a message: a restart after a config change takes well under a minute. */
  lokiDown: "2m",
  /** Alloy down this long: its positions are kept, so a short outage loses nothing. */
  alloyDown: "5m",
  /** Pushes failing this long: a lone timeout is retried. */
  lokiIngestionFailing: "10m",
  /** A dropped line is lost data: almost at once. */
  alloyLogsDropped: "1m",
  /** Loki refusing lines (limits, too old) this long: a short burst over the rate limit is retried by Alloy. */
  lokiDiscardingLogs: "15m",
  crowdsecDown: "5m",
  crowdsecLogSourceSilent: "10m",
  /** A burst of IDS detections is an attack under way: two evaluations, not more. */
  securityIdsHighSeverityBurst: "2m",
  securityBanSpike: "5m",
  /** A warning tier: a slow trend, not an emergency; KoproGo's own rules wait 10m. */
  diskSpaceLow: "10m",
  /** A day's trend that must hold for an hour: one large file written and deleted (a backup) does not count. */
  diskFillingUp: "1h",
  highLoad: "10m",
  memoryLow: "10m",
  /** An OOM kill is an event, not a state: it is reported at once. */
  oomKill: "0s",
  containerMemoryHigh: "5m",
  containerRestarting: "0s",
  /** An application container gone: two minutes cover a restart or a redeploy. */
  containerDown: "2m",
  /** The backup runs daily: its age is checked with half an hour of slack for a slow run. */
  backupTooOld: "30m",
  backupMissing: "30m",
  minioDown: "2m",
  minioDiskSpaceLow: "10m",
  /** Ratios over a 30-minute window, held for 10 more minutes: a one-off scan of a cold table does not count. */
  databaseCacheHitRatioLow: "10m",
  /** Autovacuum needs time to catch up; KoproGo's own rules wait 30m. */
  databaseDeadTuplesHigh: "30m",
  databaseSlowStatements: "10m",
  /** A probe through Traefik failing this long: a certificate renewal or a Traefik restart takes less. */
  endpointDown: "2m",
  /** Certificate expiry moves in days: an hour of `for` rides out a renewal under way. */
  certificateExpiry: "1h",
  /** `/metrics` answering the internet is a state, not a blip: confirmed over 5 minutes. */
  metricsPubliclyExposed: "5m",
  /**
   * The error-budget alerts fire as soon as both windows of a pair agree: the short window is what keeps a blip
   * from firing and what resets the alert once the errors stop (SRE workbook, multi-window multi-burn-rate).
   */
  errorBudgetBurn: "0s",
} as const;

export type ForKey = keyof typeof FOR;

/** Windows that are part of an alert's meaning (the `Per10m` of a threshold's name), written once. */
export const WINDOWS = {
  /** The window of every rate. 5m: at least four scrapes at the 15 s interval, and the brief's window. */
  rate: "5m",
  idsBurst: "10m",
  banSpike: "15m",
  /** Any dropped log line in this window counts: a drop is lost data. */
  droppedLogs: "15m",
  tsdbCompactions: "3h",
  /** How far back the disk's trend is read for `DiskFillingUp`: a whole day, so the daily backup's step is inside it. */
  diskTrend: "24h",
  /** The restarts of one container are counted over this window. */
  containerRestarts: "15m",
  /** OOM kills are counted over this window. */
  oomKills: "15m",
  /** The buffer-cache hit ratio is read over this window: long enough that a quiet database has reads in it. */
  cacheHit: "30m",
  /** The statements' mean execution time is read over this window. */
  statements: "10m",
} as const;
