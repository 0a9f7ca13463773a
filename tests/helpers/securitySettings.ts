/** The prod stack's settings with the security agents' log files moved into a test directory. */
import * as fs from "fs";
import * as path from "path";
import type { Settings } from "../../settings";
import { stackSettings } from "./stacks";

export type SecurityLogs = Settings["security"]["logs"];

/** Prod settings whose log paths are under `dir` (created, empty) and with `overrides` merged into `security`. */
export function prodSettingsWithLogsIn(
  dir: string,
  overrides: Partial<Omit<Settings["security"], "logs">> & { logs?: Partial<SecurityLogs> } = {},
): Settings {
  const { settings } = stackSettings("prod");
  const logs: SecurityLogs = {
    ...settings.security.logs,
    auth: path.join(dir, "auth.log"),
    traefikAccess: path.join(dir, "traefik-access.log"),
    postgres: path.join(dir, "postgresql.log"),
    ...overrides.logs,
  };
  for (const file of [logs.auth, logs.traefikAccess, logs.postgres]) fs.writeFileSync(file, "");
  return { ...settings, security: { ...settings.security, ...overrides, logs } };
}

export type JailKey = keyof Settings["security"]["fail2ban"]["jails"];

/** `settings` with the stack's jail `jail` turned off (`security.fail2ban.jails.<jail>.enabled: false`). */
export function withJailDisabled(settings: Settings, jail: JailKey): Settings {
  const { jails } = settings.security.fail2ban;
  return {
    ...settings,
    security: {
      ...settings.security,
      fail2ban: { ...settings.security.fail2ban, jails: { ...jails, [jail]: { ...jails[jail], enabled: false } } },
    },
  };
}
