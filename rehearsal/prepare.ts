/**
 * Preparing the rehearsal host as an operator prepares the VPS (docs/operator/deploying.md "Prepare the VPS"), plus what this
 * machine needs to stand in for one. Everything here is written into the overlay and vanishes with it.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { RehearsalHost } from "./host";
import { shellQuote } from "../host/scripts";

export interface PreparedHost {
  /** The `deploy` user's private key (set as the stack's `sshPrivateKey` secret). */
  readonly clientKey: string;
  /** The host's public key line, `ssh-ed25519 AAAA...` (pinned through the stack config). */
  readonly hostKey: string;
  readonly user: string;
  /** What was done to the host, one line each, for the report. */
  readonly steps: string[];
}

export const DEPLOY_USER = "deploy";

/**
 * The log files the agents read, as they exist on the VPS before the stack is deployed: rsyslog's auth.log, and
 * the logs of the application deployed before it (Traefik runs as root and writes its access log; PostgreSQL's
 * logging collector writes its file as the container's `postgres`, uid 70 in postgres:15-alpine, mode 0600).
 */
export interface VpsLogs {
  readonly auth: string;
  readonly traefikAccess: string;
  readonly postgres: string;
}

function keyPair(dir: string, name: string): { privateKey: string; publicKey: string } {
  const file = path.join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `kreh-${name}`, "-f", file]);
  const pair = { privateKey: fs.readFileSync(file, "utf8"), publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim() };
  fs.rmSync(file);
  fs.rmSync(`${file}.pub`);
  return pair;
}

/** The monitoring network's bridge as Docker makes it on the VPS: its gateway address, in `address/prefix` form. */
export interface MonitoringBridge {
  readonly gatewayCidr: string;
}

export function prepareHost(
  host: RehearsalHost,
  keysDir: string,
  logs: VpsLogs,
  monitoring: MonitoringBridge,
): PreparedHost {
  const steps: string[] = [];
  const step = (what: string, script: string, input?: string): void => {
    host.mustRoot(script, input);
    steps.push(what);
  };
  step(
    "apt goes through the rehearsal's proxy to this machine's Debian archive (the host has no other way out)",
    `printf 'Acquire::http::Proxy "%s";\\n' ${shellQuote(host.proxy.url)} > /etc/apt/apt.conf.d/00kreh-proxy`,
  );
  step(
    "bookworm-backports enabled for suricata and libhtp2 only: Debian 12 ships Suricata in backports alone",
    [
      `codename=$(. /etc/os-release && echo "$VERSION_CODENAME")`,
      `uri=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources | head -n1)`,
      `echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $codename-backports main" > /etc/apt/sources.list.d/kreh-backports.list`,
      `printf 'Package: suricata libhtp2\\nPin: release n=%s-backports\\nPin-Priority: 500\\n' "$codename" > /etc/apt/preferences.d/kreh-suricata`,
      "apt-get update -q >/dev/null",
    ].join("\n"),
  );
  step(
    "Docker's bridge (docker0, 172.17.0.1/16) and its DOCKER-USER chain, as Docker sets them up on the VPS: the agents bind metrics to the bridge gateway and ban in DOCKER-USER",
    [
      "ip link add docker0 type bridge && ip addr add 172.17.0.1/16 dev docker0 && ip link set docker0 up",
      "iptables -N DOCKER-USER && iptables -A DOCKER-USER -j RETURN && iptables -I FORWARD -j DOCKER-USER",
    ].join("\n"),
  );
  step(
    `the stack's monitoring network bridge (${monitoring.gatewayCidr}), as Docker creates it before the host agents: CrowdSec's metrics listen on its gateway`,
    `ip link add kreh-mon type bridge && ip addr add ${shellQuote(monitoring.gatewayCidr)} dev kreh-mon && ip link set kreh-mon up`,
  );
  step(
    "no DNS (names fail at once instead of after a resolver timeout): only the apt proxy leads out",
    "printf '# rehearsal host: no DNS, apt uses the proxy\\nnameserver 127.0.0.1\\n' > /etc/resolv.conf.kreh && mv -f /etc/resolv.conf.kreh /etc/resolv.conf",
  );
  step("policy-rc.d removed: packages start their services on install, as on a VPS", "rm -f /usr/sbin/policy-rc.d");
  step(
    "this machine's own fail2ban and CrowdSec purged from the overlay, so the program's commands install them",
    [
      "export DEBIAN_FRONTEND=noninteractive",
      "cp /etc/crowdsec/online_api_credentials.yaml /run/kreh-oac.yaml 2>/dev/null || printf 'url: http://127.0.0.1:1/\\nlogin: offline\\npassword: offline\\n' > /run/kreh-oac.yaml",
      "apt-get purge -y -q fail2ban crowdsec crowdsec-firewall-bouncer suricata >/dev/null",
      // Debian's crowdsec registers with the online API while installing unless this file exists (no internet here).
      "install -d /etc/crowdsec && install -m 0600 /run/kreh-oac.yaml /etc/crowdsec/online_api_credentials.yaml",
    ].join("\n"),
  );
  step(
    `log files of the VPS and its application created: ${Object.values(logs).join(", ")}`,
    [
      `install -D -m 0640 -o root -g adm /dev/null ${shellQuote(logs.auth)}`,
      `install -D -m 0644 -o root -g root /dev/null ${shellQuote(logs.traefikAccess)}`,
      `install -d -m 0700 -o 70 -g 70 ${shellQuote(logs.postgres.slice(0, logs.postgres.lastIndexOf("/")))} && install -m 0600 -o 70 -g 70 /dev/null ${shellQuote(logs.postgres)}`,
    ].join("\n"),
  );
  const client = keyPair(keysDir, "client");
  const server = keyPair(keysDir, "host");
  step(
    `user \`${DEPLOY_USER}\` with docs/operator/deploying.md's sudo rule (the shell only, no password) and a key generated for this run`,
    [
      `useradd -m -s /bin/bash ${DEPLOY_USER}`,
      // Exactly the rule docs/operator/deploying.md ("The deploy user and its sudo rule") tells the operator to install.
      `echo '${DEPLOY_USER} ALL=(root) NOPASSWD: /bin/sh, /usr/bin/sh' > /etc/sudoers.d/koprogo-observability && chmod 0440 /etc/sudoers.d/koprogo-observability && visudo -cqf /etc/sudoers.d/koprogo-observability`,
      `install -d -o ${DEPLOY_USER} -g ${DEPLOY_USER} -m 0700 /home/${DEPLOY_USER}/.ssh`,
      `cat > /home/${DEPLOY_USER}/.ssh/authorized_keys && chown ${DEPLOY_USER}: /home/${DEPLOY_USER}/.ssh/authorized_keys && chmod 0600 /home/${DEPLOY_USER}/.ssh/authorized_keys`,
    ].join("\n"),
    `${client.publicKey}\n`,
  );
  const sshdConfig = [
    `ListenAddress ${host.address}:22`,
    "HostKey /etc/kreh/ssh_host_ed25519_key",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "PubkeyAuthentication yes",
    "PermitRootLogin no",
    `AllowUsers ${DEPLOY_USER}`,
    "UsePAM yes",
    "PidFile /run/kreh-sshd.pid",
  ].join("\n");
  step(
    `Debian's sshd on ${host.address}:22, key auth only, with a host key generated for this run`,
    [
      "install -d -m 0700 /etc/kreh /run/sshd",
      `printf '%s\\n' ${shellQuote(sshdConfig)} > /etc/kreh/sshd_config`,
      "cat > /etc/kreh/ssh_host_ed25519_key && chmod 0600 /etc/kreh/ssh_host_ed25519_key",
      "/usr/sbin/sshd -t -f /etc/kreh/sshd_config",
      // basic.target leaves /run/nologin in place; this unit (multi-user.target's) removes it so users may log in.
      "systemctl start systemd-user-sessions.service",
      "systemd-run --unit=kreh-sshd --quiet /usr/sbin/sshd -D -e -f /etc/kreh/sshd_config",
      "for i in $(seq 50); do ss -ltn | grep -q ':22 ' && exit 0; sleep 0.1; done; echo 'sshd did not listen' >&2; exit 1",
    ].join("\n"),
    server.privateKey,
  );
  return {
    clientKey: client.privateKey,
    hostKey: server.publicKey.split(" ").slice(0, 2).join(" "),
    user: DEPLOY_USER,
    steps,
  };
}

/** The candidate version of each package in the host's apt (after the preparation's `apt-get update`). */
export function candidateVersions(host: RehearsalHost, packages: readonly string[]): Record<string, string> {
  const out = host.mustRoot(`apt-cache policy ${packages.map(shellQuote).join(" ")}`);
  const versions: Record<string, string> = {};
  let current: string | undefined;
  for (const line of out.split("\n")) {
    const name = /^(\S+):$/.exec(line);
    if (name) current = name[1];
    const candidate = /^\s+Candidate:\s+(\S+)/.exec(line);
    if (candidate && current && candidate[1] !== "(none)") versions[current] = candidate[1];
  }
  for (const p of packages)
    if (!versions[p]) throw new Error(`rehearsal host: Debian's archive has no candidate for ${p}`);
  return versions;
}
