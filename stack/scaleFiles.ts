/**
 * The files of the multi-host parts, in one list of the stack: each comes from its tool's generator (the further
 * hosts' node exporter files: exporters/furtherHost.ts; their Alloy, the log gateway and Loki's S3 credentials:
 * logs/furtherHostFiles.ts; Prometheus's credentials for the hosts and the store: prometheus/scale.ts). Beside
 * the list, the path helpers the further-host component uses to pick a host's own files.
 */
import { furtherHostExporterFiles } from "../exporters/furtherHost";
import {
  awsCredentialsFile,
  furtherHostAlloyFiles,
  LOKI_S3_CREDENTIALS,
  logGatewayFiles,
} from "../logs/furtherHostFiles";
import { secretFile, type FileRenderer, type RenderedFile } from "../render/types";
import type { Settings } from "../settings";
import { SCALE_PROMETHEUS_FILES } from "../prometheus/scale";

/**
 * The node exporter files as they land on further host `host`: its own web config and TLS files (rendered under
 * `hosts/<host>/node-exporter/`) at `node-exporter/`, where the node exporter component mounts them, beside the
 * exporter's healthcheck login (the same login as on the monitoring host). The monitoring host's plain-HTTP
 * `node-exporter/web.yml` is not among them.
 */
export function furtherHostFiles<T extends { readonly path: string }>(files: readonly T[], host: string): T[] {
  const shared = files.filter((f) => f.path.startsWith("node-exporter/") && f.path !== "node-exporter/web.yml");
  return [...shared, ...furtherHostOwnFiles(files, host, "node-exporter")];
}

/** Further host `host`'s own files of `dir` (rendered under `hosts/<host>/<dir>/`), at `<dir>/` where its component mounts them. */
export function furtherHostOwnFiles<T extends { readonly path: string }>(
  files: readonly T[],
  host: string,
  dir: string,
): T[] {
  const own = `hosts/${host}/${dir}/`;
  return files.filter((f) => f.path.startsWith(own)).map((f) => ({ ...f, path: `${dir}/${f.path.slice(own.length)}` }));
}

export const renderScaleFiles: FileRenderer = (settings: Settings, secrets) => {
  const files: RenderedFile[] = [];
  if (settings.hosts.length > 0) {
    files.push({
      path: `prometheus/${SCALE_PROMETHEUS_FILES.hostsCa}`,
      content: secrets.hostsTlsCaCert ?? "",
      secret: true,
    });
    for (const host of settings.hosts)
      files.push(
        ...furtherHostExporterFiles(host.name, secrets),
        ...furtherHostAlloyFiles(settings, host.name, secrets),
      );
    files.push(...logGatewayFiles(settings, secrets));
  }
  if (settings.prometheus.remoteWrite?.username)
    files.push(secretFile(`prometheus/${SCALE_PROMETHEUS_FILES.remoteWritePassword}`, secrets.remoteWritePassword));
  const storage = settings.loki.storage;
  if (storage)
    files.push(
      secretFile(LOKI_S3_CREDENTIALS.rendered, awsCredentialsFile(storage.accessKeyId, secrets.lokiS3SecretKey ?? "")),
    );
  return files;
};
