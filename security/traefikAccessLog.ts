/**
 * What the application's Traefik must be started with so that fail2ban's `api-abuse` jail and CrowdSec can read its
 * access log safely: a file on the host (`security.logs.traefikAccess`, the directory bind-mounted at the same path)
 * in the format `security.logs.traefikAccessFormat` names. JSON is required where bans are taken (`staging`,
 * `prod`): Traefik's common format writes the URL's decoded user name unescaped, so a `%0A` in it forges whole
 * lines (security/fail2ban.ts `apiAbuseFilter`); JSON escapes every value and keeps the peer in `ClientAddr`.
 *
 * Behaviour relied on (Traefik v3 static configuration, `pkg/types/logs.go`): `--accesslog.filepath` and
 * `--accesslog.format` (`common`, `genericCLF` or `json`); in JSON the request headers are dropped unless kept by
 * name, and CrowdSec's hub parser reads the `request_User-Agent` field (its bad user-agent scenarios).
 * The docs quote these flags and a test keeps them equal (tests/unit/docs.logFormats.test.ts); the attack suite starts
 * a real Traefik with them (`traefik-log-forgery`).
 */
import type { Settings } from "../settings";

export function traefikAccessLogFlags(settings: Pick<Settings, "security">): string[] {
  const { traefikAccess, traefikAccessFormat } = settings.security.logs;
  return [
    "--accesslog=true",
    `--accesslog.filepath=${traefikAccess}`,
    `--accesslog.format=${traefikAccessFormat}`,
    ...(traefikAccessFormat === "json" ? ["--accesslog.fields.headers.names.User-Agent=keep"] : []),
  ];
}
