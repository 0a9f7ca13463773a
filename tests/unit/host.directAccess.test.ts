/**
 * The rules that keep a neighbour off the containers' own addresses (host/directAccess.ts); their effect on a real
 * engine's chains is measured in tests/lab/security.dockerNeighbour.test.ts and by the attack suite.
 */
import {
  DIRECT_ACCESS_CHAIN,
  DIRECT_ACCESS_DROP_IN,
  DIRECT_ACCESS_MARKER,
  DIRECT_ACCESS_SCRIPT,
  directAccessBootScript,
  directAccessDropIn,
  directAccessRules,
  directAccessScript,
  removeDirectAccessScript,
} from "../../host/directAccess";

describe("the direct-access rules", () => {
  it("leave bridges, open connections and published (DNAT'd) ports to Docker before dropping what enters a bridge", () => {
    expect(directAccessRules().map((rule) => rule.join(" "))).toEqual([
      "-i docker0 -j RETURN",
      "-i br+ -j RETURN",
      "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
      "-m conntrack --ctstate DNAT -j RETURN",
      "-o docker0 -j DROP",
      "-o br+ -j DROP",
    ]);
    expect(DIRECT_ACCESS_CHAIN.length).toBeLessThanOrEqual(28);
  });

  it("are applied by a script that starts with its marker, rebuilds the chain and jumps to it once from DOCKER-USER", () => {
    const lines = directAccessScript().split("\n");
    expect(lines[0]).toBe(DIRECT_ACCESS_MARKER);
    expect(lines).toContain(
      `iptables -w -N ${DIRECT_ACCESS_CHAIN} 2>/dev/null || iptables -w -F ${DIRECT_ACCESS_CHAIN}`,
    );
    expect(lines).toContain(`iptables -w -A ${DIRECT_ACCESS_CHAIN} -m conntrack --ctstate DNAT -j RETURN`);
    expect(lines[lines.length - 1]).toBe(
      `iptables -w -C DOCKER-USER -j ${DIRECT_ACCESS_CHAIN} 2>/dev/null || iptables -w -I DOCKER-USER -j ${DIRECT_ACCESS_CHAIN}`,
    );
    expect(removeDirectAccessScript()).toContain(`-D DOCKER-USER -j ${DIRECT_ACCESS_CHAIN}`);
  });

  it("are re-applied after every start of Docker by a root-only script and a docker.service drop-in", () => {
    expect(directAccessDropIn()).toContain(`[Service]\nExecStartPost=${DIRECT_ACCESS_SCRIPT}\n`);
    const boot = directAccessBootScript();
    expect(boot.stdin.startsWith(`#!/bin/sh\n${directAccessScript("/usr/sbin/iptables")}\n`)).toBe(true);
    expect(boot.stdin.endsWith(directAccessDropIn())).toBe(true);
    expect(boot.script).toContain(`install -o root -g root -m 0700 "$tmp/script" '${DIRECT_ACCESS_SCRIPT}'`);
    expect(boot.script).toContain(`install -o root -g root -m 0644 "$tmp/drop-in" '${DIRECT_ACCESS_DROP_IN}'`);
  });
});
