/** The memory budget counts the host agents beside the containers, and the whole fits a 2 GB VPS beside the application. */
import { DEFAULT_MEMORY_BUDGET_MIB, HOST_AGENT_MEMORY, HOST_AGENTS, VPS_MEMORY } from "../../contract/hostAgents";
import { memoryToBytes, parseStackConfig, stackMemory, StackConfigError } from "../../settings";
import { stackSettings } from "../helpers/stacks";

const mib = (bytes: number) => bytes / 1024 ** 2;

describe("the memory budget", () => {
  it.each(["prod", "staging"])(
    "counts fail2ban, CrowdSec, its bouncer and Suricata in %s, with their figures",
    (stack) => {
      const counted = stackMemory(stackSettings(stack).settings);
      for (const agent of HOST_AGENTS)
        expect(counted).toContainEqual({
          service: agent,
          memory: `${HOST_AGENT_MEMORY[agent].mib}m`,
          bytes: HOST_AGENT_MEMORY[agent].mib * 1024 ** 2,
        });
    },
  );

  it("counts no agent where none is installed (dev)", () => {
    expect(stackMemory(stackSettings("dev").settings).map((l) => l.service)).not.toContain("suricata");
  });

  it("counts only the agents that are on", () => {
    const { settings } = parseStackConfig(
      "dev",
      { security: { enabled: true, suricata: { enabled: false } } },
      new Set(),
    );
    expect(
      stackMemory(settings)
        .map((l) => l.service)
        .filter((s) => (HOST_AGENTS as readonly string[]).includes(s)),
    ).toEqual(["fail2ban", "crowdsec", "crowdsecBouncer"]);
  });

  it.each(["prod", "staging"])("keeps %s's containers and agents inside its budget", (stack) => {
    const { settings } = stackSettings(stack);
    const total = stackMemory(settings).reduce((sum, l) => sum + l.bytes, 0);
    expect(mib(total)).toBeLessThanOrEqual(mib(memoryToBytes(settings.docker.memoryBudget)));
  });

  it("leaves the application and the OS their share of a 2 GiB VPS", () => {
    expect(DEFAULT_MEMORY_BUDGET_MIB + VPS_MEMORY.applicationMib + VPS_MEMORY.systemMib).toBe(2048);
    expect(mib(memoryToBytes(stackSettings("prod").settings.docker.memoryBudget))).toBe(DEFAULT_MEMORY_BUDGET_MIB);
  });

  it("refuses agents and containers over the budget, naming the key and each part", () => {
    try {
      parseStackConfig("dev", { security: { enabled: true }, docker: { memoryBudget: "1200m" } }, new Set());
      throw new Error("accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(StackConfigError);
      expect((error as Error).message).toContain(
        "koprogo-observability:docker.memoryBudget: the containers' memory limits add up to 1400MiB with the host agents, over the budget of 1200MiB",
      );
      expect((error as Error).message).toContain("suricata 280m");
    }
  });

  it("says where every figure comes from", () => {
    for (const agent of HOST_AGENTS) expect(HOST_AGENT_MEMORY[agent].source).toMatch(/^(measured|documented):/);
  });
});
