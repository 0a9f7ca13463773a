/**
 * The attack suite's judges for what lives outside e2e/: the deployed fail2ban (0.11.2 from the tool cache) and
 * Debian's CrowdSec reading a log with the rendered files, the workflow secrets analysis, and the Traefik binary.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AttackJudges } from "../../e2e/attack/context";
import type { Settings } from "../../settings";
import { toolCacheDir, toolPath } from "../../toolchain/cache";
import { crowdsecReplayer } from "./crowdsec";
import { DEPLOYED_FAIL2BAN, fail2banConfigDir, runFail2ban } from "./fail2ban";
import { freePort } from "./freePort";
import { secretFindings } from "./workflowSecrets";
import { loadWorkflows } from "./workflows";

/**
 * The application's Traefik (settings/images.ts `appTraefik`), built from its Go module into the tool cache by
 * `npm run fetch-tools` (`KOPROGO_TRAEFIK` overrides the path).
 */
export function traefikBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.KOPROGO_TRAEFIK ?? toolPath("traefik", toolCacheDir(env));
}

/** The hub items CrowdSec needs to turn Traefik's access log into HTTP scenario events. */
const HTTP_HUB_ITEMS = [
  "parsers/s01-parse/crowdsecurity/traefik-logs.yaml",
  "parsers/s02-enrich/crowdsecurity/http-logs.yaml",
  "scenarios/crowdsecurity/http-probing.yaml",
  "scenarios/crowdsecurity/http-crawl-non_statics.yaml",
];

export function attackJudges(settings: Settings, workDir: string): AttackJudges {
  const dir = fs.mkdtempSync(path.join(workDir || os.tmpdir(), "judges-"));
  let fail2banConf: string | undefined;
  let replay: ((log: string, type: string) => { poured: Record<string, string[]> }) | undefined;
  const traefik = traefikBinary();
  return {
    traefik: fs.existsSync(traefik) ? traefik : undefined,
    async fail2banApiAbuse(log) {
      fail2banConf ??= fail2banConfigDir(DEPLOYED_FAIL2BAN, path.join(dir, "fail2ban"), settings);
      const result = runFail2ban(DEPLOYED_FAIL2BAN, "fail2ban-regex", [
        "-o",
        "ip",
        log,
        path.join(fail2banConf, "filter.d", "koprogo-observability-api-abuse.conf"),
      ]);
      if (result.status !== 0) throw new Error(`fail2ban-regex failed: ${result.output.slice(-500)}`);
      return result.output.trim().split("\n").filter(Boolean);
    },
    async crowdsecHttp(log) {
      replay ??= crowdsecReplayer(path.join(dir, "crowdsec"), settings, HTTP_HUB_ITEMS, await freePort());
      return Object.values(replay(log, "traefik").poured).flat();
    },
    workflowFindings: () => secretFindings(loadWorkflows()),
  };
}
