/**
 * The host security agents' files: `<out>/fail2ban/` (an overlay of `/etc/fail2ban`), `<out>/crowdsec/` and
 * `<out>/suricata/` (overlays of `/etc/crowdsec` and `/etc/suricata`). systemd units and drop-ins of an agent
 * sit in its `systemd/` subfolder and land in `/etc/systemd/system/`. Only the agents the stack enables render.
 */
import type { FileRenderer, RenderedFile } from "../render/types";
import type { Settings } from "../settings";
import { crowdsecOverlay } from "./crowdsec";
import { fail2banOverlay } from "./fail2ban";
import { markOwned } from "./ownership";
import { suricataOverlay } from "./suricata";

export const SECURITY_AGENTS = ["fail2ban", "crowdsec", "suricata"] as const;
export type SecurityAgent = (typeof SECURITY_AGENTS)[number];

const OVERLAYS: Record<SecurityAgent, (settings: Settings) => { path: string; content: string }[]> = {
  fail2ban: fail2banOverlay,
  crowdsec: crowdsecOverlay,
  suricata: suricataOverlay,
};

/** The agents this stack installs. */
export function enabledAgents(settings: Settings): SecurityAgent[] {
  return settings.security.enabled ? SECURITY_AGENTS.filter((agent) => settings.security[agent].enabled) : [];
}

/**
 * Every file, marked as the stack's own in one pass (security/ownership.ts): the check before each deploy
 * (security/coexist.ts) tells them from the operator's by that line, and never overwrites a file without it.
 */
export const renderSecurityFiles: FileRenderer = (settings) =>
  enabledAgents(settings).flatMap((agent) =>
    OVERLAYS[agent](settings).map((file): RenderedFile => ({
      path: `${agent}/${file.path}`,
      content: markOwned(file.content),
    })),
  );

/** Where a rendered file lands on the host, relative to `/etc`: `crowdsec/x` → `crowdsec/x`, `*\/systemd/x` → `systemd/system/x`. */
export function etcPathOf(renderedPath: string): string {
  const [agent, ...rest] = renderedPath.split("/");
  if (!(SECURITY_AGENTS as readonly string[]).includes(agent) || rest.length === 0)
    throw new Error(`${renderedPath} is not a security agent's file`);
  return rest[0] === "systemd" ? ["systemd", "system", ...rest.slice(1)].join("/") : renderedPath;
}
