/** Logs: Loki and the Grafana Alloy shipper. */
import { z } from "zod";
import { duration, memory, port } from "./primitives";

export const lokiSettings = z
  .object({
    /** Container memory limit. */
    memory: memory.default("192m"),
    /** Port published on the host's `bindAddress`, or `null` (default) to reach Loki only inside the Docker network. */
    hostPort: port.nullable().default(null),
    /** How long logs are kept; the compactor deletes older chunks. Defaults to `168h` (7 days). */
    retention: duration.default("168h"),
  })
  .strict();

export const alloySettings = z
  .object({
    /** Container memory limit. */
    memory: memory.default("128m"),
  })
  .strict();

export type LokiSettings = z.infer<typeof lokiSettings>;
export type AlloySettings = z.infer<typeof alloySettings>;
