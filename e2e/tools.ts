/**
 * The Debian binaries the harness runs. A missing one is an error under CI (CI=true) and a skip reason
 * elsewhere, so a developer without the packages can still run the unit tests.
 */
import * as fs from "fs";

export const PG_BIN = "/usr/lib/postgresql/15/bin";

export const TOOLS = {
  prometheus: "/usr/bin/prometheus",
  promtool: "/usr/bin/promtool",
  alertmanager: "/usr/bin/prometheus-alertmanager",
  nodeExporter: "/usr/bin/prometheus-node-exporter",
  postgresExporter: "/usr/bin/prometheus-postgres-exporter",
  initdb: `${PG_BIN}/initdb`,
  postgres: `${PG_BIN}/postgres`,
  psql: `${PG_BIN}/psql`,
  runuser: "/usr/sbin/runuser",
} as const;

/** The Debian packages that provide them, for the error message. */
const PACKAGES = "prometheus prometheus-alertmanager prometheus-node-exporter prometheus-postgres-exporter postgresql-15";

export function missingTools(): string[] {
  return Object.values(TOOLS).filter((tool) => !fs.existsSync(tool));
}

/** Throws under CI when a tool is missing; elsewhere returns the reason to skip, or undefined when all are there. */
export function e2eSkipReason(): string | undefined {
  const missing = missingTools();
  const notRoot = typeof process.getuid === "function" && process.getuid() !== 0;
  if (missing.length === 0 && !notRoot) return undefined;
  const reason = missing.length > 0 ? `missing ${missing.join(", ")} (apt-get install ${PACKAGES})` : "the e2e harness runs PostgreSQL through runuser and needs root";
  if (process.env.CI === "true") throw new Error(`e2e: ${reason}`);
  return reason;
}
