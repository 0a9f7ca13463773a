/**
 * The policies of the pack, each a thin adapter from the engine's `ResourceValidationArgs` to a pure check. Kept
 * apart from `index.ts`, which constructs the `PolicyPack` (that starts the analyzer's gRPC server), so tests can
 * run these objects directly.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import {
  checkContainerImage,
  checkContainerMemory,
  checkContainerPorts,
  checkRemoteImage,
  type ContainerProps,
  type RemoteImageProps,
} from "./containers";
import { checkCommand, checkContainerEnvs, type CommandProps } from "./secretsInClear";
import { checkVolumeRetained, type VolumeProps } from "./volumes";

/** Type tokens of the resources the policies look at. */
export const RESOURCE_TYPES = {
  container: "docker:index/container:Container",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  volume: "docker:index/volume:Volume",
  localCommand: "command:local:Command",
  remoteCommand: "command:remote:Command",
} as const;

/** A validation that runs `check` on resources whose type is one of `types`, reporting each message. */
function validateTypes<P>(types: readonly string[], check: (props: P, args: ResourceValidationArgs) => string[]) {
  return (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
    if (!types.includes(args.type)) return;
    for (const message of check(args.props as P, args)) reportViolation(message);
  };
}

export const POLICIES: ResourceValidationPolicy[] = [
  {
    name: "no-public-port",
    description:
      "A container port is published only on loopback or a private address; public access goes through the reverse proxy.",
    enforcementLevel: "mandatory",
    validateResource: validateTypes<ContainerProps>([RESOURCE_TYPES.container], checkContainerPorts),
  },
  {
    name: "exact-image-version",
    description: "Every image names an exact version (no latest, no bare major tag).",
    enforcementLevel: "mandatory",
    validateResource: [
      validateTypes<ContainerProps>([RESOURCE_TYPES.container], checkContainerImage),
      validateTypes<RemoteImageProps>([RESOURCE_TYPES.remoteImage], checkRemoteImage),
    ],
  },
  {
    name: "container-memory-limit",
    description: "Every container has a memory limit.",
    enforcementLevel: "mandatory",
    validateResource: validateTypes<ContainerProps>([RESOURCE_TYPES.container], checkContainerMemory),
  },
  {
    name: "data-volume-retained",
    description:
      "Every Docker volume is declared with retainOnDelete (or protect), so its data outlives a replacement or a destroy.",
    enforcementLevel: "mandatory",
    validateResource: validateTypes<VolumeProps>([RESOURCE_TYPES.volume], (props, args) =>
      checkVolumeRetained(props, args.opts),
    ),
  },
  {
    name: "no-secret-in-clear",
    description:
      "No secret in clear in a container's environment or a command's text: secrets travel as files or through stdin.",
    enforcementLevel: "mandatory",
    validateResource: [
      validateTypes<ContainerProps>([RESOURCE_TYPES.container], (props) => checkContainerEnvs(props.name, props.envs)),
      validateTypes<CommandProps>([RESOURCE_TYPES.localCommand, RESOURCE_TYPES.remoteCommand], checkCommand),
    ],
  },
];
