/** Grafana: the UI, its data sources and dashboards. */
import { z } from "zod";
import { memory, port } from "./primitives";

export const grafanaSettings = z
  .object({
    /** Container memory limit. */
    memory: memory.default("160m"),
    /** Port published on the host's `bindAddress` (the runbook's 3001), or `null`. */
    hostPort: port.nullable().default(3001),
  })
  .strict();

export type GrafanaSettings = z.infer<typeof grafanaSettings>;
