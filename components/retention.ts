/**
 * The label that tells the policy pack a Docker volume was declared with `retainOnDelete` (policies cannot read
 * resource options other than `protect`: see policy/volumes.ts). It is derived from the options object itself,
 * never written by hand, so it cannot claim a retention the volume does not have.
 */
import type * as pulumi from "@pulumi/pulumi";

export const RETAIN_ON_DELETE_LABEL = "com.koprogo.observability.retain-on-delete";

/** The label entry (Docker provider shape) that states the options' `retainOnDelete`. */
export function retentionLabel(opts: Pick<pulumi.CustomResourceOptions, "retainOnDelete">): {
  label: string;
  value: string;
} {
  return { label: RETAIN_ON_DELETE_LABEL, value: String(opts.retainOnDelete === true) };
}
