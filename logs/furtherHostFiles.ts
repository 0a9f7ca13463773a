/**
 * The log files of the multi-host parts: a further host's Alloy (its config, gateway login and CA, under
 * `hosts/<name>/alloy/`), the log gateway's files on the monitoring host, and Loki's S3 credentials.
 */
import { secretFile, type RenderedFile } from "../render/types";
import type { Secrets, Settings } from "../settings";
import { logGatewayPasswordName } from "../settings";
import { alloyConfigText, furtherHostAlloy } from "./alloy";
import { LOG_GATEWAY_CONTAINER_PATHS, LOG_GATEWAY_FILES, logGatewayConfig, logGatewayUsers } from "./gateway";
import { ALLOY_PATHS } from "./paths";

/** Loki's S3 credentials file (AWS shared-credentials format) as the container sees it. */
export const LOKI_S3_CREDENTIALS = {
  rendered: "loki/secrets/s3-credentials",
  inContainer: "/etc/loki/secrets/s3-credentials",
} as const;

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
