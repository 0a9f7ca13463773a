/**
 * What the host agents (systemd services on the VPS, outside Docker: no memory limit of their own) take, for the
 * memory budget (`docker.memoryBudget`). Each figure is a measured peak resident set or a documented one, with a
 * margin, and says where it comes from (docs/operator/memory-budget.md has the measurements and the whole VPS's sum).
 */
export const HOST_AGENTS = ["fail2ban", "crowdsec", "crowdsecBouncer", "suricata"] as const;
export type HostAgent = (typeof HOST_AGENTS)[number];

export interface AgentFigure {
  /** MiB counted in the budget. */
  readonly mib: number;
  /** Measured here, or documented (and where). */
  readonly source: string;
}

export const HOST_AGENT_MEMORY: Readonly<Record<HostAgent, AgentFigure>> = {
  fail2ban: {
    mib: 48,
    source:
      "measured: fail2ban-server 1.0.2 (Debian 12, Python 3.11) with the stack's three jails, 60 s of matching lines: VmHWM 39.4 MB; +20 % for the deployed 0.11.2",
  },
  crowdsec: {
    mib: 120,
    source:
      "measured: crowdsec 1.4.6 (Debian 12) with the stack's acquisitions and hub collections, agent and local API in one process, 60 s of sshd and Traefik lines: VmHWM 59.3 MB; documented: 117 MB RSS with the community blocklist (opnsense/plugins#3410), under 100 MB for a small setup (CrowdSec FAQ)",
  },
  crowdsecBouncer: {
    mib: 40,
    source:
      "documented: crowdsec-firewall-bouncer 38.9 MB RSS with the community blocklist (opnsense/plugins#3410); its sets live in the kernel (ipset/nft)",
  },
  suricata: {
    mib: 280,
    source:
      "measured: Suricata 6.0.1 `-T` building its detection engine from 34,297 ET-shaped rules (content + sticky buffers, ET Open's size): max RSS 228 MB; +52 MiB for the runtime pools of the default suricata.yaml (packets, flows, defrag, hosts) on one low-traffic interface",
  },
};

/** The agents whose figure the budget counts: those the settings install on this VPS. */
export function enabledHostAgents(security: {
  readonly enabled: boolean;
  readonly fail2ban: { readonly enabled: boolean };
  readonly crowdsec: { readonly enabled: boolean };
  readonly suricata: { readonly enabled: boolean };
}): HostAgent[] {
  if (!security.enabled) return [];
  return [
    ...(security.fail2ban.enabled ? (["fail2ban"] as const) : []),
    // The firewall bouncer comes with CrowdSec (it applies CrowdSec's decisions).
    ...(security.crowdsec.enabled ? (["crowdsec", "crowdsecBouncer"] as const) : []),
    ...(security.suricata.enabled ? (["suricata"] as const) : []),
  ];
}

/**
 * The VPS the budget is for (brief: 2 vCPU, 2 GB) and what it keeps for the rest, in MiB. The application's
 * figure is an assumption about its Compose containers (docs/operator/memory-budget.md): koprogo-backend (Rust, ~40),
 * koprogo-postgres (postgres:15-alpine, 128 MB shared_buffers, max_connections=15: ~200), koprogo-traefik (~60),
 * koprogo-frontend (static files: ~20), koprogo-minio (~128).
 */
export const VPS_MEMORY = { totalMib: 2048, applicationMib: 448, systemMib: 192 } as const;

/** The default `docker.memoryBudget`: what the VPS leaves the stack. */
export const DEFAULT_MEMORY_BUDGET_MIB = VPS_MEMORY.totalMib - VPS_MEMORY.applicationMib - VPS_MEMORY.systemMib;
