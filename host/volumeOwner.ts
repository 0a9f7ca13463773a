/** The script that hands a data volume to its container's uid (components/volumeOwner.ts runs it before the container starts). */
import type { ServiceUser } from "../contract/serviceUsers";
import { shellQuote } from "./scripts";

/** Script that re-owns every file of `volume` to `user`, through the `docker` CLI of the stack's engine. */
export function chownVolumeScript(volume: string, image: string, user: ServiceUser, docker = "docker"): string {
  return `set -eu; ${docker} run --rm --user 0:0 --network none --entrypoint chown -v ${shellQuote(`${volume}:/data`)} ${shellQuote(image)} -R ${user.uid}:${user.gid} /data`;
}
