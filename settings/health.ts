/**
 * What watches the application's health beyond its own metrics: the blackbox exporter (the public endpoints as a user reaches them, TLS certificates), and the backup
 * script's metric file (read by the node exporter's textfile collector).
 */
import { z } from "zod";
import { absolutePath, httpUrl, memory } from "./primitives";

export const blackboxSettings = z
  .object({
    /** Run the blackbox exporter and its probes. Defaults to `true`; no probe runs without a URL below. */
    enabled: z.boolean().default(true),
    /**
     * Container memory limit. Defaults to `32m`: the deployed blackbox_exporter 0.27.0 held 25.8 MiB resident after
     * 10 minutes of probes (BENCHMARKS.md, `npm run bench -- --only probes`), and its Go heap is held under the limit
     * by `GOMEMLIMIT`.
     */
    memory: memory.default("32m"),
    /**
     * The API's public health URL, probed from the VPS through Traefik and TLS as a user reaches it (KoproGo:
     * `https://<API_DOMAIN>/api/v1/health`); its certificate's expiry is watched too. Absent: no probe.
     */
    apiHealthUrl: httpUrl.optional(),
    /**
     * The API's metrics URL as the internet reaches it (`https://<API_DOMAIN>/metrics`): the probe succeeds only when
     * it is refused (401, 403 or 404), and `MetricsPubliclyExposed` fires when it answers. Absent: no probe.
     */
    publicMetricsUrl: httpUrl.optional(),
    /** Probe Grafana's public health URL (`https://<grafana.domain>/api/health`) when Grafana is published. Defaults to `true`. */
    probeGrafana: z.boolean().default(true),
  })
  .strict();

export const backupSettings = z
  .object({
    /**
     * The folder where the backup script writes its metric file (`koprogo_last_backup_timestamp_seconds` in
     * `last_backup.prom`): KoproGo's `backup-encrypted.sh` writes it to `$KOPROGO_DIR/backups`. The node exporter's
     * textfile collector reads the `*.prom` files of this folder (mounted read-only); `null` turns it off, and the
     * `Backup*` alerts with it. Defaults to `/home/koprogo/koprogo/backups`.
     */
    metricsDirectory: absolutePath.nullable().default("/home/koprogo/koprogo/backups"),
  })
  .strict();

export type BlackboxSettings = z.infer<typeof blackboxSettings>;
export type BackupSettings = z.infer<typeof backupSettings>;
