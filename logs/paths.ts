/** Where Loki and Alloy find their files inside their containers. The components mount them; the generators refer to them. */
export const LOKI_PATHS = {
  configDir: "/etc/loki",
  config: "/etc/loki/loki.yaml",
  /** The retained data volume: chunks, TSDB index, WAL, compactor state, delete requests. */
  data: "/loki",
} as const;

export const ALLOY_PATHS = {
  configDir: "/etc/alloy",
  config: "/etc/alloy/config.alloy",
  /** A further host's login at the log gateway (its password, 0400 for Alloy's uid). */
  gatewayPassword: "/etc/alloy/secrets/gateway-password",
  /** The hosts' CA, which signs the log gateway's certificate. */
  gatewayCa: "/etc/alloy/secrets/hosts-ca.crt",
  /** The retained volume: read positions of every file, the journal and every container (`--storage.path`). */
  data: "/var/lib/alloy/data",
  /** The host's `/var/log`, mounted read-only at the same path so host paths in the settings work unchanged. */
  hostLogs: "/var/log",
  /** Volatile journal (when the host keeps no persistent journal). */
  runtimeJournal: "/run/log/journal",
  /** The journal is read for this machine id only. */
  machineId: "/etc/machine-id",
} as const;
