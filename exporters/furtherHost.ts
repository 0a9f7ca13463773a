/**
 * The node exporter's files on a further host: its web config with TLS (it is reached over the private network)
 * and the TLS files, under `hosts/<name>/node-exporter/`, written on that host.
 */
import { secretFile, type RenderedFile } from "../render/types";
import { toYaml } from "../render/yaml";
import type { Secrets } from "../settings";
import { webConfig } from "../webauth/files";

/** Where the node exporter on a further host reads its files (the host directory is mounted there). */
export const REMOTE_EXPORTER_PATHS = { dir: "/etc/node-exporter", webConfig: "/etc/node-exporter/web.yml" } as const;

/**
 * TLS files relative to web.yml: the exporter toolkit resolves `cert_file`/`key_file` against the web config's
 * directory, so the same file works in the container and for a native exporter (the e2e lane).
 */
export const REMOTE_EXPORTER_TLS = { cert: "tls.crt", key: "tls.key" } as const;

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
