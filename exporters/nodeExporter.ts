/**
 * The node exporter's command line, from the settings. The component (container) and the e2e harness (Debian's
 * binary) both call `nodeExporterFlags`, so what runs in the tests is what runs on the VPS.
 *
 * Only the collectors a rule or a System Health panel reads are enabled (`--collector.disable-defaults`, then one
 * flag per collector): the defaults add some thirty collectors (hardware sensors, bonding, NFS, ZFS, …) whose
 * series nobody reads. Every flag here exists in node exporter 1.5 (Debian 12) and 1.9 (the pinned image).
 */
import { serviceAddress, type Settings } from "../settings";

/** Collectors kept, each with what reads it. */
export const NODE_COLLECTORS = {
  cpu: "HighCpu, CPU panel (node_cpu_seconds_total)",
  meminfo: "MemoryExhaustion, RAM panel (node_memory_*)",
  filesystem: "DiskFull, disk panel (node_filesystem_*)",
  loadavg: "load average 1/5/15 panel (node_load*)",
  netdev: "network panel (node_network_*_bytes_total)",
  diskstats: "disk I/O panel (node_disk_*)",
  stat: "process count panel (node_procs_running, node_procs_blocked), boot time",
  uname: "instance information (node_uname_info)",
  time: "clock skew check (node_time_seconds)",
} as const;

export type NodeCollector = keyof typeof NODE_COLLECTORS;

/**
 * Pseudo and container filesystems: never where the data lives, and their free space means nothing. `DiskFull`
 * also filters these (brief: not tmpfs/overlay/squashfs); filtering at the source saves their series too.
 */
export const NODE_FS_TYPES_EXCLUDE =
  "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tmpfs|tracefs)$";
/** Mount points of the kernel, of Docker's layers and of other containers' volumes. */
export const NODE_MOUNT_POINTS_EXCLUDE = "^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
/** Loopback and the virtual interfaces Docker creates per container (`veth*`, bridges): one set per container restart. */
export const NODE_NETDEV_EXCLUDE = "^(lo|veth.*|docker.*|br-.*)$";

export interface NodeExporterFlagOptions {
  /** Where the host's root is mounted when the exporter runs in a container (`/host`); absent for a native run. */
  readonly rootfs?: string;
}

export function nodeExporterFlags(settings: Settings, options: NodeExporterFlagOptions = {}): string[] {
  return [
    // The address the `node` scrape job targets: `nodeExporter.listenAddress` (the Docker bridge gateway, never a
    // public address) on the standard port, or `serviceAddresses.nodeExporter` (the e2e profile's loopback port).
    `--web.listen-address=${serviceAddress(settings, "nodeExporter")}`,
    ...(options.rootfs ? [`--path.rootfs=${options.rootfs}`] : []),
    "--collector.disable-defaults",
    ...Object.keys(NODE_COLLECTORS).map((collector) => `--collector.${collector}`),
    `--collector.filesystem.fs-types-exclude=${NODE_FS_TYPES_EXCLUDE}`,
    `--collector.filesystem.mount-points-exclude=${NODE_MOUNT_POINTS_EXCLUDE}`,
    `--collector.netdev.device-exclude=${NODE_NETDEV_EXCLUDE}`,
  ];
}

/** Scrape-time relabelling of the `node` job: the exporter's Go runtime internals (`process_*` stays for its memory). */
export const NODE_METRIC_RELABEL: Record<string, unknown>[] = [{ source_labels: ["__name__"], regex: "go_.+", action: "drop" }];
