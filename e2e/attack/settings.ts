/**
 * The profile the attack lab runs: the prod stack file (`Pulumi.prod.yaml`), every key as committed, except the
 * addresses Docker gives the host on its default bridge (`docker0`, 172.17.0.0/16), which the node exporter and
 * CrowdSec listen on: they are moved to the lab's `docker0` (`<subnet16>.0.0/24`), the same host octet, so that
 * every address the rendered files hold is one the lab really has, and test traffic stays in the test's subnet.
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

export function attackSettings(subnet16: string, stack = "prod"): Settings {
  const { settings } = loadStackFile(stack, PROJECT_DIR);
  const crowdsec = settings.security.crowdsec;
  return {
    ...settings,
    nodeExporter: { ...settings.nodeExporter, listenAddress: toLabAddress(settings.nodeExporter.listenAddress, subnet16, "nodeExporter.listenAddress") },
    security: {
      ...settings.security,
      crowdsec: { ...crowdsec, metrics: { ...crowdsec.metrics, listenAddress: toLabAddress(crowdsec.metrics.listenAddress, subnet16, "security.crowdsec.metrics.listenAddress") } },
    },
  };
}
