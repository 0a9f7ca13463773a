/**
 * Data volumes must survive a replacement and a `pulumi destroy`.
 *
 * The option that guarantees it, `retainOnDelete`, is not among the resource options the engine gives a policy
 * (`PolicyResourceOptions` of @pulumi/policy 1.21 has protect, ignoreChanges, deleteBeforeReplace, aliases,
 * customTimeouts, additionalSecretOutputs and parent). So the program's one volume builder, `dataVolume` in
 * components/container.ts, stamps the label below from the very options object it declares the volume with, and
 * this check refuses a volume without it: a volume made any other way has not been given `retainOnDelete`.
 * `protect` is visible and also keeps the data (a destroy fails instead of deleting), so it is accepted too.
 */
import { RETAIN_ON_DELETE_LABEL } from "../components/retention";

/** The `docker.Volume` inputs this check reads. */
export interface VolumeProps {
  readonly name?: string;
  readonly labels?: readonly { readonly label?: string; readonly value?: string }[];
}

export function checkVolumeRetained(props: VolumeProps, options: { readonly protect?: boolean }): string[] {
  if (options.protect === true) return [];
  const retained = (props.labels ?? []).some((l) => l.label === RETAIN_ON_DELETE_LABEL && l.value === "true");
  if (retained) return [];
  const name = props.name ? `volume \`${props.name}\`` : "the volume";
  return [
    `${name} is not declared with \`retainOnDelete: true\` (no \`${RETAIN_ON_DELETE_LABEL}=true\` label): create data volumes with \`dataVolume()\` so a replacement or a destroy cannot delete the data`,
  ];
}
