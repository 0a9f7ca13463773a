/**
 * The hosts of a stack: the monitoring host (the VPS that runs the stack, named by `alloy.hostLabel`) and the
 * further `hosts` of the settings. Pure lookups every generator uses, so a host's name, address and role are read
 * in one place.
 */
import type { Settings } from "./";
import type { HostSettings } from "./scale";

export type StackHosts = Pick<Settings, "hosts" | "alloy">;

/** The monitoring host's name, as the `instance`/`host` label and as an Alertmanager peer name. */
export function monitoringHostName(settings: Pick<Settings, "alloy">): string {
  return settings.alloy.hostLabel;
}

/** Every host name the stack knows, the monitoring host first. */
export function allHostNames(settings: StackHosts): string[] {
  return [monitoringHostName(settings), ...settings.hosts.map((h) => h.name)];
}

/** A further host by name, or undefined for the monitoring host. */
export function furtherHost(settings: StackHosts, name: string): HostSettings | undefined {
  return settings.hosts.find((h) => h.name === name);
}
