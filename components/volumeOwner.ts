/**
 * Hands a data volume to the uid its container runs as (contract/serviceUsers.ts), before the container starts.
 * The official images run as `nobody` and a new named volume takes the image directory's owner; the stack runs
 * each service as its own uid, so an existing volume (or a new one) must be re-owned once, and again only when the
 * uid changes.
 *
 * It runs `chown` in a one-shot container of the service's own image (`--user 0`, no network, only the volume
 * mounted), started through the Docker engine by `pulumi up`: it needs no root shell on the host, only the same
 * engine access the deployment already has. No service of the stack can start a container.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ServiceUser } from "../contract/serviceUsers";
import { chownVolumeScript } from "../host/volumeOwner";
import { hostCommand, type HostAccess } from "./host";

/**
 * A command that runs `chownVolumeScript`: the container depends on it. No trigger and no delete (components/host.ts):
 * the volume, image and uid are in the script's text, so a changed uid is an update that runs it again.
 */
export function volumeOwner(
  name: string,
  host: HostAccess,
  volume: pulumi.Input<string>,
  image: string,
  user: ServiceUser,
  opts: pulumi.CustomResourceOptions,
): pulumi.Resource {
  return hostCommand(
    name,
    host,
    { create: pulumi.output(volume).apply((v) => chownVolumeScript(v, image, user, host.docker)) },
    opts,
  );
}
