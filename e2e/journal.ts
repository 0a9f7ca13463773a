/**
 * Real systemd journal files without a running journald: entries in the journal export format
 * (systemd.io/JOURNAL_EXPORT_FORMAT) written by `systemd-journal-remote --output=<file>.journal <export file>`,
 * which creates the file or appends to it. What reads it (Alloy's `loki.source.journal`, through libsystemd's
 * sd-journal) sees the same on-disk format journald writes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Debian's `systemd-journal-remote` package. */
export const JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote";

export interface JournalEntry {
  readonly message: string;
  /** `_SYSTEMD_UNIT`, e.g. `docker.service`. */
  readonly unit: string;
  /** syslog priority, 0 (emerg) … 7 (debug). */
  readonly priority: number;
  readonly identifier?: string;
}

/** A boot id for the test entries (any 128-bit id). */
const BOOT_ID = "0b0070e2e0000000000000000000b007";

const FIELD_VALUE = /^[^\n]*$/;

/** The export text of the entries, stamped now (one microsecond apart, in order). */
export function journalExport(entries: readonly JournalEntry[], machineId: string, nowUs = Date.now() * 1000): string {
  return entries
    .map((entry, i) => {
      if (!FIELD_VALUE.test(entry.message) || !FIELD_VALUE.test(entry.unit))
        throw new Error(`journal entry ${JSON.stringify(entry)}: a field value may not hold a newline here`);
      if (!Number.isInteger(entry.priority) || entry.priority < 0 || entry.priority > 7)
        throw new Error(`journal entry ${JSON.stringify(entry)}: priority must be 0 to 7`);
      const fields = [
        `__REALTIME_TIMESTAMP=${nowUs + i}`,
        `__MONOTONIC_TIMESTAMP=${1_000_000 + i}`,
        `_BOOT_ID=${BOOT_ID}`,
        `_MACHINE_ID=${machineId}`,
        `_HOSTNAME=vps`,
        `PRIORITY=${entry.priority}`,
        `_SYSTEMD_UNIT=${entry.unit}`,
        `SYSLOG_IDENTIFIER=${entry.identifier ?? entry.unit.replace(/\.service$/, "")}`,
        `MESSAGE=${entry.message}`,
      ];
      return `${fields.join("\n")}\n\n`;
    })
    .join("");
}

/** Appends the entries to `<journalDir>/system.journal` (created when missing). */
export function appendJournal(journalDir: string, machineId: string, entries: readonly JournalEntry[]): void {
  const exportFile = path.join(journalDir, "..", `export-${process.pid}-${Date.now()}.txt`);
  fs.writeFileSync(exportFile, journalExport(entries, machineId));
  try {
    const result = spawnSync(JOURNAL_REMOTE, [`--output=${path.join(journalDir, "system.journal")}`, exportFile], {
      encoding: "utf8",
      timeout: 30_000,
    });
    if (result.status !== 0)
      throw new Error(`${JOURNAL_REMOTE} failed (${result.status ?? result.signal}): ${result.stderr}${result.stdout}`);
  } finally {
    fs.rmSync(exportFile, { force: true });
  }
}
