/**
 * The profile the attack lab runs: the prod stack file (`Pulumi.prod.yaml`), every key as committed, except the
 * addresses Docker gives the host on its default bridge (`docker0`, 172.17.0.0/16), which the node exporter and
 * CrowdSec listen on: they are moved to the lab's `docker0` (`<subnet16>.0.0/24`), the same host octet, so that
 * every address the rendered files hold is one the lab really has, and test traffic stays in the test's subnet;
 * likewise the monitoring network's fixed subnet (`docker.monitoringSubnet`, where Alloy has a fixed address).
 */
import * as path from "path";
import { loadStackFile, type Settings } from "../../settings";

const PROJECT_DIR = path.resolve(__dirname, "../..");
const DOCKER0 = /^172\.17\.(\d{1,3})\.(\d{1,3})$/;

/** `172.17.a.b` → `<subnet16>.a.b`; any other address is refused (the lab would not have it). */
export function toLabAddress(address: string, subnet16: string, key: string): string {
  const match = DOCKER0.exec(address);
  if (!match) throw new Error(`\`${key}\` is ${address}: the attack lab models only Docker's docker0 (172.17.0.0/16) on the host; map this address in e2e/attack/settings.ts`);
  if (match[1] !== "0") throw new Error(`\`${key}\` is ${address}: the lab's docker0 is a /24`);
  return `${subnet16}.0.${match[2]}`;
}

/** `a.b.N.0/24` → `<subnet16>.N.0/24`: a fixed Docker subnet moved into the lab, the same /24 number. */
export function toLabSubnet(subnet: string, subnet16: string, key: string): string {
  const match = /^\d{1,3}\.\d{1,3}\.(\d{1,3})\.0\/24$/.exec(subnet);
  if (!match || ["0", "250"].includes(match[1])) throw new Error(`\`${key}\` is ${subnet}: the attack lab maps only /24 subnets (not .0 or .250, its docker0 and public link)`);
  return `${subnet16}.${match[1]}.0/24`;
}

export function attackSettings(subnet16: string, stack = "prod"): Settings {
  const { settings } = loadStackFile(stack, PROJECT_DIR);
  const crowdsec = settings.security.crowdsec;
  return {
    ...settings,
    docker: { ...settings.docker, monitoringSubnet: toLabSubnet(settings.docker.monitoringSubnet, subnet16, "docker.monitoringSubnet") },
    nodeExporter: { ...settings.nodeExporter, listenAddress: toLabAddress(settings.nodeExporter.listenAddress, subnet16, "nodeExporter.listenAddress") },
    security: {
      ...settings.security,
      crowdsec: { ...crowdsec, metrics: { ...crowdsec.metrics, listenAddress: toLabAddress(crowdsec.metrics.listenAddress, subnet16, "security.crowdsec.metrics.listenAddress") } },
    },
  };
}
