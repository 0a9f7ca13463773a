/**
 * The binaries the harness runs: Prometheus, promtool, Alertmanager and the exporters at the versions the stack
 * deploys (the tool cache filled by `npm run fetch-tools`, toolchain/), PostgreSQL 15 (the deployed major) from
 * the system. A missing one is an error under CI (CI=true) and a skip reason elsewhere, so a developer without
 * them can still run the unit tests.
 */
import * as fs from "fs";
import { missingToolsAdvice, toolPath } from "../toolchain/cache";

export const PG_BIN = "/usr/lib/postgresql/15/bin";

export const TOOLS = {
  prometheus: toolPath("prometheus"),
  promtool: toolPath("promtool"),
  alertmanager: toolPath("alertmanager"),
  nodeExporter: toolPath("nodeExporter"),
  postgresExporter: toolPath("postgresExporter"),
  initdb: `${PG_BIN}/initdb`,
  postgres: `${PG_BIN}/postgres`,
  psql: `${PG_BIN}/psql`,
  runuser: "/usr/sbin/runuser",
} as const;

export function missingTools(): string[] {
  return Object.values(TOOLS).filter((tool) => !fs.existsSync(tool));
}

/** Throws under CI when a tool is missing; elsewhere returns the reason to skip, or undefined when all are there. */
export function e2eSkipReason(): string | undefined {
  const missing = missingTools();
  const notRoot = typeof process.getuid === "function" && process.getuid() !== 0;
  if (missing.length === 0 && !notRoot) return undefined;
  const reason =
    missing.length > 0 ? missingToolsAdvice(missing) : "the e2e harness runs PostgreSQL through runuser and needs root";
  if (process.env.CI === "true") throw new Error(`e2e: ${reason}`);
  return reason;
}
