/**
 * Files of the multi-host parts: Prometheus's credentials for the further hosts and the store, the further hosts'
 * node exporter web config and TLS files and their Alloy's config and login (under `hosts/<name>/`, written on
 * that host), the log gateway's files (on the monitoring host), Loki's S3 credentials.
 */
import type { FileRenderer, RenderedFile } from "../render/types";
import { toYaml } from "../render/yaml";
import type { Secrets, Settings } from "../settings";
import { alloyConfigText, furtherHostAlloy } from "../logs/alloy";
import { ALLOY_PATHS } from "../logs/paths";
import { logGatewayPasswordName } from "../settings";
import { webConfig } from "../webauth/files";
import { LOG_GATEWAY_CONTAINER_PATHS, LOG_GATEWAY_FILES, logGatewayConfig, logGatewayUsers } from "../logs/gateway";
import { SCALE_PROMETHEUS_FILES } from "../prometheus/scale";

/** Where the node exporter on a further host reads its files (the host directory is mounted there). */
export const REMOTE_EXPORTER_PATHS = { dir: "/etc/node-exporter", webConfig: "/etc/node-exporter/web.yml" } as const;

/**
 * TLS files relative to web.yml: the exporter toolkit resolves `cert_file`/`key_file` against the web config's
 * directory, so the same file works in the container and for a native exporter (the e2e lane).
 */
export const REMOTE_EXPORTER_TLS = { cert: "tls.crt", key: "tls.key" } as const;

/** Loki's S3 credentials file (AWS shared-credentials format) as the container sees it. */
export const LOKI_S3_CREDENTIALS = {
  rendered: "loki/secrets/s3-credentials",
  inContainer: "/etc/loki/secrets/s3-credentials",
} as const;

function secretFile(path: string, content: string | undefined): RenderedFile {
  return { path, content: content ?? "", secret: true };
}

/** The node exporter files of one further host, relative to the config root. */
export function furtherHostExporterFiles(host: string, secrets: Secrets<string>): RenderedFile[] {
  const dir = `hosts/${host}/node-exporter`;
  return [
    // The node exporter's logins (contract/webAccess.ts: Prometheus's scrape, the healthcheck) as on the monitoring
    // host, plus TLS: this exporter is reached over the private network. Behaviour relied on (exporter-toolkit
    // 0.14): `tls_server_config` turns on TLS for every request; relative paths resolve against web.yml's directory.
    secretFile(
      `${dir}/web.yml`,
      toYaml({
        tls_server_config: {
          cert_file: REMOTE_EXPORTER_TLS.cert,
          key_file: REMOTE_EXPORTER_TLS.key,
          min_version: "TLS12",
        },
        ...webConfig("nodeExporter", secrets),
      }),
    ),
    secretFile(`${dir}/${REMOTE_EXPORTER_TLS.cert}`, secrets.hostsTlsCert),
    secretFile(`${dir}/${REMOTE_EXPORTER_TLS.key}`, secrets.hostsTlsKey),
  ];
}

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

/** Where a file of `ALLOY_PATHS` (in the container, under its config dir) is rendered for further host `host`. */
function furtherAlloyFile(host: string, inContainer: string): string {
  return `hosts/${host}/alloy/${inContainer.slice(ALLOY_PATHS.configDir.length + 1)}`;
}

/**
 * A further host's Alloy: its config (same generator as the monitoring host's, with this host's target), its
 * gateway password and the CA that signs the gateway's certificate.
 */
export function furtherHostAlloyFiles(settings: Settings, host: string, secrets: Secrets<string>): RenderedFile[] {
  return [
    {
      path: `hosts/${host}/alloy/config.alloy`,
      content: alloyConfigText(settings, furtherHostAlloy(settings, { name: host })),
    },
    secretFile(furtherAlloyFile(host, ALLOY_PATHS.gatewayPassword), secrets[logGatewayPasswordName(host)]),
    secretFile(furtherAlloyFile(host, ALLOY_PATHS.gatewayCa), secrets.hostsTlsCaCert),
  ];
}

/** The log gateway's files on the monitoring host: its nginx.conf, the further hosts' logins, its TLS material. */
export function logGatewayFiles(settings: Settings, secrets: Secrets<string>): RenderedFile[] {
  const dir = LOG_GATEWAY_FILES.rendered;
  return [
    {
      path: `${dir}/${LOG_GATEWAY_FILES.config}`,
      content: logGatewayConfig(settings, {
        listen: String(settings.logGateway.port),
        paths: LOG_GATEWAY_CONTAINER_PATHS,
      }),
    },
    secretFile(`${dir}/${LOG_GATEWAY_FILES.users}`, logGatewayUsers(settings, secrets)),
    // The hosts' serving certificate: the gateway address is one of its SANs (components/hostsTls.ts).
    secretFile(`${dir}/${LOG_GATEWAY_FILES.cert}`, secrets.hostsTlsCert),
    secretFile(`${dir}/${LOG_GATEWAY_FILES.key}`, secrets.hostsTlsKey),
  ];
}

export function awsCredentialsFile(accessKeyId: string, secretKey: string): string {
  // The INI of ~/.aws/credentials; Loki's S3 client reads it through AWS_SHARED_CREDENTIALS_FILE when the config holds no keys.
  return `[default]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretKey}\n`;
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
