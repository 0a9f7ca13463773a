/**
 * Node exporter flags: only the collectors that the alerts and the System Health dashboard read, and only real
 * filesystems and interfaces, so the host costs a few hundred series instead of a few thousand.
 */
import { SERVICE_PORTS, type Settings } from "../settings";
import { webConfigFile } from "../webauth/paths";

/** Collectors kept, each with what reads it. */
export const NODE_COLLECTORS = [
  "cpu", // HighCpu, CPU panel
  "meminfo", // MemoryExhaustion, RAM panel
  "filesystem", // DiskFull, disk panel
  "netdev", // network panel
  "loadavg", // load 1/5/15 panel
  "diskstats", // disk I/O panel
  "stat", // context switches, boot time, procs running/blocked
  "processes", // process count panel
  "uname", // instance details in dashboards
  "vmstat", // HostOomKill (oom_kill only, see VMSTAT_FIELDS)
] as const;

/** The one /proc/vmstat field read: the kernel's count of OOM kills (HostOomKill); the collector's default keeps a dozen. */
export const VMSTAT_FIELDS = "^oom_kill$";

/**
 * Where the container sees the backup script's folder (`backups.metricsDirectory`, bind-mounted read-only): the
 * textfile collector reads its `*.prom` files (`koprogo_last_backup_timestamp_seconds`, BackupTooOld).
 */
export const TEXTFILE_DIRECTORY_IN_CONTAINER = "/var/lib/node-exporter/textfile";

/** Pseudo and container-layer filesystems: never "full" in a way an operator can act on. */
export const IGNORED_FS_TYPES =
  "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|ramfs|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|tmpfs)$";
export const IGNORED_MOUNT_POINTS = "^/(dev|proc|run|sys|var/lib/docker/.+|var/lib/containers/.+)($|/)";
/** One veth per container and the bridges: their traffic is already counted on the real interface. */
export const IGNORED_NET_DEVICES = "^(lo|veth.*|br-.*|docker0)$";

/**
 * @param listenAddress where to listen (`host:port`); in the container the host's root is mounted at `/host`.
 * @param rootfs the host root inside the container, or `/` for a native run (e2e).
 * @param webConfig the exporter-toolkit web config (basic auth), or none (the e2e harness's plain exporter).
 * @param textfileDirectory the folder of `*.prom` files the textfile collector reads, or none (collector off).
 */
export function nodeExporterFlags(
  listenAddress: string,
  rootfs = "/host",
  webConfig?: string,
  textfileDirectory?: string,
): string[] {
  return [
    `--web.listen-address=${listenAddress}`,
    ...(webConfig ? [`--web.config.file=${webConfig}`] : []),
    `--path.rootfs=${rootfs}`,
    "--collector.disable-defaults",
    ...NODE_COLLECTORS.map((c) => `--collector.${c}`),
    `--collector.filesystem.fs-types-exclude=${IGNORED_FS_TYPES}`,
    `--collector.filesystem.mount-points-exclude=${IGNORED_MOUNT_POINTS}`,
    `--collector.netdev.device-exclude=${IGNORED_NET_DEVICES}`,
    `--collector.vmstat.fields=${VMSTAT_FIELDS}`,
    ...(textfileDirectory ? ["--collector.textfile", `--collector.textfile.directory=${textfileDirectory}`] : []),
  ];
}

/**
 * The flags of a node exporter container of the stack.
 * @param readsBackupMetrics the backup script's folder is mounted at `TEXTFILE_DIRECTORY_IN_CONTAINER` (the
 *   monitoring host, where the application and its backups run; not a further host).
 */
export function nodeExporterContainerFlags(
  settings: Pick<Settings, "nodeExporter">,
  listenAddress = `${settings.nodeExporter.listenAddress}:${SERVICE_PORTS.nodeExporter}`,
  readsBackupMetrics = false,
): string[] {
  return nodeExporterFlags(
    listenAddress,
    "/host",
    webConfigFile("nodeExporter").inContainer,
    readsBackupMetrics ? TEXTFILE_DIRECTORY_IN_CONTAINER : undefined,
  );
}
