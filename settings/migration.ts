/**
 * Coming from KoproGo's own monitoring (docs/operator/migrating.md): what the preflight of host/oldMonitoring.ts
 * lets run beside this stack.
 */
import { z } from "zod";
import { OLD_MONITORING_CONTAINER_NAMES } from "../contract/oldMonitoring";

export const migrationSettings = z
  .object({
    /** KoproGo's own monitoring Compose (contract/oldMonitoring.ts), found on the host before the stack starts. */
    oldMonitoring: z
      .object({
        /**
         * Containers of the old stack the operator keeps running on purpose beside this one (the old cAdvisor, for
         * `targets.cadvisor`): the preflight lets them run as long as they publish no port beyond loopback and hold
         * no port this stack needs. Any other of its containers that runs stops the deploy before anything starts.
         * Defaults to none: every old container must be stopped (its volumes kept) first.
         */
        keepRunning: z
          .array(z.enum(OLD_MONITORING_CONTAINER_NAMES))
          .refine((names) => new Set(names).size === names.length, "must not name a container twice")
          .default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type MigrationSettings = z.infer<typeof migrationSettings>;
