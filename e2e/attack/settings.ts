/**
 * The profile the attack lab runs: the prod stack file (`Pulumi.prod.yaml`), every key as committed, except the
 * host addresses the node exporter and CrowdSec listen on (Docker's `docker0` gateway, the monitoring network's):
 * they are moved to the lab's `docker0` (`<subnet16>.0.0/24`) or monitoring /24, the same host octet, so that
 * every address the rendered files hold is one the lab really has, and test traffic stays in the test's subnet;
 * likewise the monitoring network's fixed subnet (`docker.monitoringSubnet`, where Alloy has a fixed address).
 */
import * as path from "path";
import { loadStackFile, type Settings } from "../../settings";

const PROJECT_DIR = path.resolve(__dirname, "../..");
/** A /24 of Docker's addresses and the /24 of the lab that stands for it: `from` and `to` are the first three octets. */
export interface LabRange {
  readonly from: string;
  readonly to: string;
}

/** `a.b.N.0/24` → `<subnet16>.N.0/24`: a fixed Docker subnet moved into the lab, the same /24 number. */
export function toLabSubnet(subnet: string, subnet16: string, key: string): string {
  const match = /^\d{1,3}\.\d{1,3}\.(\d{1,3})\.0\/24$/.exec(subnet);
  if (!match || ["0", "250"].includes(match[1]))
    throw new Error(
      `\`${key}\` is ${subnet}: the attack lab maps only /24 subnets (not .0 or .250, its docker0 and public link)`,
    );
  return `${subnet16}.${match[1]}.0/24`;
}

/** An address of one of the ranges, moved to the lab's (same last octet); any other address is refused. */
export function toLabAddress(address: string, ranges: readonly LabRange[], key: string): string {
  const range = ranges.find((r) => address.startsWith(`${r.from}.`));
  if (!range)
    throw new Error(
      `\`${key}\` is ${address}: the attack lab models only ${ranges.map((r) => `${r.from}.0/24`).join(" and ")} on the host; map this address in e2e/attack/settings.ts`,
    );
  return `${range.to}${address.slice(range.from.length)}`;
}

/** The ranges the prod profile's host addresses come from: Docker's docker0 and the stack's monitoring subnet. */
export function labRanges(monitoringSubnet: string, subnet16: string): LabRange[] {
  const firstThree = (cidr: string) => cidr.split("/")[0].split(".").slice(0, 3).join(".");
  return [
    { from: "172.17.0", to: `${subnet16}.0` },
    {
      from: firstThree(monitoringSubnet),
      to: firstThree(toLabSubnet(monitoringSubnet, subnet16, "docker.monitoringSubnet")),
    },
  ];
}

export function attackSettings(subnet16: string, stack = "prod"): Settings {
  const { settings } = loadStackFile(stack, PROJECT_DIR);
  const crowdsec = settings.security.crowdsec;
  const ranges = labRanges(settings.docker.monitoringSubnet, subnet16);
  return {
    ...settings,
    docker: {
      ...settings.docker,
      monitoringSubnet: toLabSubnet(settings.docker.monitoringSubnet, subnet16, "docker.monitoringSubnet"),
    },
    nodeExporter: {
      ...settings.nodeExporter,
      listenAddress: toLabAddress(settings.nodeExporter.listenAddress, ranges, "nodeExporter.listenAddress"),
    },
    security: {
      ...settings.security,
      crowdsec: {
        ...crowdsec,
        metrics: {
          ...crowdsec.metrics,
          listenAddress: toLabAddress(
            crowdsec.metrics.listenAddress,
            ranges,
            "security.crowdsec.metrics.listenAddress",
          ),
        },
      },
    },
  };
}
