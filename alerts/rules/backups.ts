/**
 * Backups: the age of the last successful one and the absence of its metric. KoproGo's backup script
 * (`backup-encrypted.sh`) writes `koprogo_last_backup_timestamp_seconds` to `last_backup.prom` in its backup folder
 * after each database dump; the node exporter's textfile collector reads that folder (`backups.metricsDirectory`),
 * so the metric has the node job's labels. Empty when the folder is not set.
 */
import { logJobSelector } from "../../contract/links";
import type { Settings } from "../../settings";
import { monitoringConfig } from "../config";
import type { RuleFile } from "../types";
import { alertRule } from "./common";

/** The metric KoproGo's backup script writes (a Unix time, seconds). */
export const BACKUP_TIMESTAMP_METRIC = "koprogo_last_backup_timestamp_seconds";

export function backupRuleFile(settings: Settings): RuleFile {
  const config = monitoringConfig(settings);
  const { nodeSelector, thresholds } = config;
  const logs = `${logJobSelector("journal")} |~ "(?i)backup|pg_dump|gpg|s3cmd"`;
  const rules = config.watches.backups
    ? [
        alertRule(config, {
          alert: "BackupTooOld",
          // The value is the age in hours, so the description reads in hours whatever the threshold.
          expr: `(time() - max by (instance) (${BACKUP_TIMESTAMP_METRIC}{${nodeSelector}})) / 3600 > ${thresholds.backupMaxAgeHours}`,
          for: "backupTooOld",
          severity: "critical",
          summary: "The last database backup is too old.",
          description: `The last successful backup on {{ $labels.instance }} finished {{ $value | printf "%.1f" }} hours ago, more than ${thresholds.backupMaxAgeHours} hours: the daily backup is failing or not running.`,
          dashboard: "systemHealth",
          logs,
        }),
        alertRule(config, {
          alert: "BackupMissing",
          // No metric while the node exporter answers: the script never wrote its file, wrote it elsewhere, or
          // the file is unreadable (the textfile collector then reports node_textfile_scrape_error 1).
          expr: `absent(${BACKUP_TIMESTAMP_METRIC}{${nodeSelector}}) and on () up{${nodeSelector}} == 1`,
          for: "backupMissing",
          severity: "warning",
          summary: "No backup metric is found.",
          description: `The node exporter reports no ${BACKUP_TIMESTAMP_METRIC} (value {{ $value }}): no backup has written its metric file in ${settings.backups.metricsDirectory}, or the file cannot be read.`,
          dashboard: "systemHealth",
          logs,
        }),
      ]
    : [];
  return { name: "backups", groups: [{ name: "backups", rules }] };
}
