/** Host security agents: fail2ban, CrowdSec, Suricata. */
import { z } from "zod";

export const securitySettings = z
  .object({
    /** Install and configure the host agents over SSH. Off in `dev` (a laptop is not the VPS). */
    enabled: z.boolean().default(false),
  })
  .strict();

export type SecuritySettings = z.infer<typeof securitySettings>;
