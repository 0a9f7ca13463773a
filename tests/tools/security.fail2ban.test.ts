/**
 * The rendered fail2ban overlay against the real fail2ban at every version it may run (0.11.2 deployed, 1.0.2,
 * 1.1; tests/helpers/fail2ban.ts): the configuration test and dump of that version's whole `/etc/fail2ban` with
 * our overlay on top, and `fail2ban-regex` for every filter against log lines
 * of the real formats (Traefik access log, PostgreSQL 15 with our log_line_prefix, OpenSSH auth.log).
 */
import * as fs from "fs";
import * as path from "path";
import { apiAbuseFilter } from "../../security/fail2ban";
import type { Settings } from "../../settings";
import { describeWithTools, run, tempDir } from "../helpers/tools";
import { prodSettingsWithLogsIn } from "../helpers/securitySettings";
import { fail2banConfigDir, FAIL2BAN_VERSIONS, runFail2ban } from "../helpers/fail2ban";

/** Must-match lines come from 203.0.113.0/24 or 2001:db8::/32, must-not lines from 198.51.100.0/24. */
interface FilterCase {
  readonly filter: string;
  readonly format: string;
  readonly lines: readonly string[];
  /** Addresses `fail2ban-regex -o ip` reports, in line order: exactly the must-match lines. */
  readonly expected: readonly string[];
}

const CASES: readonly FilterCase[] = [
  {
    filter: "koprogo-observability-api-abuse.common",
    format: "Traefik common (CLF), dev only",
    lines: [
      '203.0.113.10 - - [25/Nov/2026:15:15:23 +0000] "GET /api/v1/buildings?page=2 HTTP/2.0" 200 1534 "-" "Mozilla/5.0 (X11; Linux x86_64)" 1042 "koprogo-backend@docker" "http://172.18.0.5:8080" 12ms',
      '2001:db8::7 - - [25/Nov/2026:15:15:24 +0000] "POST /api/v1/auth/login HTTP/1.1" 401 45 "https://app.koprogo.com/login" "curl/8.4.0" 1043 "koprogo-backend@docker" "http://172.18.0.5:8080" 3ms',
      '203.0.113.11 - - [25/Nov/2026:15:15:25 +0000] "DELETE /api/v1/expenses/42 HTTP/2.0" 204 - "-" "KoproGo-Mobile/1.2" 1044 "koprogo-backend@docker" "http://172.18.0.5:8080" 8ms',
      '198.51.100.20 - - [25/Nov/2026:15:15:26 +0000] "GET /assets/app.js HTTP/2.0" 200 90210 "-" "Mozilla/5.0" 1045 "koprogo-frontend@docker" "http://172.18.0.6:3000" 2ms',
      '198.51.100.21 - - [25/Nov/2026:15:15:27 +0000] "GET /login?next=/api/v1/x HTTP/2.0" 200 512 "-" "Mozilla/5.0" 1046 "koprogo-frontend@docker" "http://172.18.0.6:3000" 2ms',
      '198.51.100.22 - - [25/Nov/2026:15:15:28 +0000] "GET /apiary HTTP/1.1" 404 19 "-" "Mozilla/5.0" 1047 "koprogo-frontend@docker" "http://172.18.0.6:3000" 1ms',
      '198.51.100.23 - - [25/Nov/2026:15:15:29 +0000] "GET /health HTTP/1.1" 200 2 "-" "Mozilla/5.0 /api/v1/fake" 1048 "koprogo-backend@docker" "http://172.18.0.5:8080" 1ms',
      // Grafana's panels: /api/ paths, through Grafana's router, never counted.
      '198.51.100.24 - - [25/Nov/2026:15:15:30 +0000] "POST /api/ds/query?ds_type=prometheus HTTP/2.0" 200 5120 "https://grafana.koprogo.com/d/api-overview" "Mozilla/5.0" 1049 "koprogo-obs-grafana@docker" "http://172.18.0.9:3000" 35ms',
      '198.51.100.24 - - [25/Nov/2026:15:15:30 +0000] "GET /api/live/ws HTTP/1.1" 101 0 "-" "Mozilla/5.0" 1050 "koprogo-obs-grafana@docker" "http://172.18.0.9:3000" 0ms',
      // A User-Agent naming the backend's router (quotes are not escaped by Traefik) does not make a Grafana line count.
      '198.51.100.25 - - [25/Nov/2026:15:15:31 +0000] "POST /api/ds/query HTTP/2.0" 200 5120 "-" "x" 1 "koprogo-backend@docker" "y" 1051 "koprogo-obs-grafana@docker" "http://172.18.0.9:3000" 35ms',
    ],
    expected: ["203.0.113.10", "2001:db8::7", "203.0.113.11"],
  },
  {
    filter: "koprogo-observability-api-abuse",
    format: "Traefik JSON (staging, prod)",
    lines: [
      // The peer is ClientAddr; ClientHost is X-Forwarded-For when Traefik trusts one (never counted).
      '{"ClientAddr":"203.0.113.13:40000","ClientHost":"198.51.100.15","ClientPort":"40000","ClientUsername":"-","DownstreamStatus":200,"RequestHost":"api.koprogo.com","RequestMethod":"GET","RequestPath":"/api/v1/units","RequestProtocol":"HTTP/1.1","RouterName":"koprogo-backend@docker","StartUTC":"2026-11-25T15:15:22.5Z","entryPointName":"websecure","level":"info","msg":"","time":"2026-11-25T15:15:22Z"}',
      '{"ClientAddr":"[2001:db8::8]:40001","ClientHost":"2001:db8::8","ClientPort":"40001","ClientUsername":"-","DownstreamStatus":401,"RequestHost":"api.koprogo.com","RequestMethod":"POST","RequestPath":"/api/v1/auth/login","RequestProtocol":"HTTP/2.0","RouterName":"koprogo-backend@docker","StartUTC":"2026-11-25T15:15:22.6Z","entryPointName":"websecure","level":"info","msg":"","time":"2026-11-25T15:15:22Z"}',
      // A user name with a newline and a fake line: escaped, one line, the peer's.
      '{"ClientAddr":"203.0.113.14:40002","ClientHost":"203.0.113.14","ClientPort":"40002","ClientUsername":"x\\n{\\"ClientAddr\\":\\"198.51.100.16:1\\",","DownstreamStatus":200,"RequestHost":"h","RequestMethod":"GET","RequestPath":"/api/v1/probe1","RequestProtocol":"HTTP/1.1","RouterName":"koprogo-backend@docker","StartUTC":"2026-11-25T15:15:22.7Z","entryPointName":"web","level":"info","msg":"","time":"2026-11-25T15:15:22Z"}',
      '{"ClientAddr":"203.0.113.12:51234","ClientHost":"203.0.113.12","ClientPort":"51234","ClientUsername":"-","DownstreamContentSize":1534,"DownstreamStatus":200,"Duration":12345678,"OriginContentSize":1534,"OriginDuration":12000000,"OriginStatus":200,"Overhead":345678,"RequestAddr":"api.koprogo.com","RequestContentSize":0,"RequestCount":1042,"RequestHost":"api.koprogo.com","RequestMethod":"GET","RequestPath":"/api/v1/buildings","RequestPort":"-","RequestProtocol":"HTTP/2.0","RequestScheme":"https","RetryAttempts":0,"RouterName":"koprogo-backend@docker","ServiceAddr":"172.18.0.5:8080","ServiceName":"koprogo-backend@docker","ServiceURL":"http://172.18.0.5:8080","StartLocal":"2026-11-25T15:15:23.123456789Z","StartUTC":"2026-11-25T15:15:23.123456789Z","entryPointName":"websecure","level":"info","msg":"","time":"2026-11-25T15:15:23Z"}',
      '{"ClientAddr":"198.51.100.13:51234","ClientHost":"198.51.100.13","ClientPort":"51234","DownstreamStatus":200,"RequestHost":"app.koprogo.com","RequestMethod":"GET","RequestPath":"/assets/app.js","RequestProtocol":"HTTP/2.0","RouterName":"koprogo-frontend@docker","StartUTC":"2026-11-25T15:15:24.5Z","entryPointName":"websecure","level":"info","msg":"","time":"2026-11-25T15:15:24Z"}',
      '{"ClientAddr":"198.51.100.14:51234","ClientHost":"198.51.100.14","ClientPort":"51234","DownstreamStatus":200,"RequestHost":"grafana.koprogo.com","RequestMethod":"POST","RequestPath":"/api/ds/query","RequestProtocol":"HTTP/2.0","RouterName":"koprogo-obs-grafana@docker","ServiceName":"koprogo-obs-grafana@docker","StartUTC":"2026-11-25T15:15:25.5Z","entryPointName":"websecure","level":"info","msg":"","time":"2026-11-25T15:15:25Z"}',
    ],
    expected: ["203.0.113.13", "2001:db8::8", "203.0.113.14", "203.0.113.12"],
  },
  {
    filter: "koprogo-postgresql",
    format: "PostgreSQL 15, log_line_prefix '%m [%p] %h%q '",
    lines: [
      '2026-11-25 15:15:23.123 UTC [812] 203.0.113.30 FATAL:  password authentication failed for user "koprogo"',
      '2026-11-25 15:15:24.456 UTC [813] 203.0.113.31 FATAL:  role "admin" does not exist',
      '2026-11-25 15:15:25.789 UTC [814] 203.0.113.32 FATAL:  no pg_hba.conf entry for host "203.0.113.32", user "postgres", database "postgres", no encryption',
      "2026-11-25 15:15:26.000 UTC [815] 198.51.100.40 LOG:  connection authorized: user=koprogo database=koprogo_db application_name=koprogo-backend",
      '2026-11-25 15:15:27.000 UTC [816] 198.51.100.41 ERROR:  relation "users" does not exist at character 15',
      "2026-11-25 15:15:28.000 UTC [817] 198.51.100.42 FATAL:  terminating connection due to administrator command",
      "2026-11-25 15:15:29.000 UTC [60] LOG:  checkpoint starting: time",
      '2026-11-25 15:15:30.000 UTC [818] [local] FATAL:  password authentication failed for user "postgres"',
      '2026-11-25 15:15:31.000 UTC [819] 198.51.100.43 DETAIL:  Connection matched pg_hba.conf line 2: "host all all 0.0.0.0/0 scram-sha-256"',
    ],
    expected: ["203.0.113.30", "203.0.113.31", "203.0.113.32"],
  },
  {
    filter: "sshd",
    format: "OpenSSH auth.log (Debian's stock filter, normal mode)",
    lines: [
      "Nov 25 15:15:23 vps sshd[1234]: Failed password for root from 203.0.113.50 port 51234 ssh2",
      "Nov 25 15:15:24 vps sshd[1235]: Failed password for invalid user admin from 203.0.113.51 port 40000 ssh2",
      "Nov 25 15:15:25 vps sshd[1236]: Invalid user oracle from 203.0.113.52 port 52222",
      "Nov 25 15:15:27 vps sshd[1238]: error: maximum authentication attempts exceeded for root from 203.0.113.54 port 40002 ssh2 [preauth]",
      "Nov 25 15:15:27 vps sshd[1239]: Accepted publickey for deploy from 198.51.100.60 port 50000 ssh2: ED25519 SHA256:Zm9vYmFy",
      "Nov 25 15:15:28 vps sshd[1239]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)",
      "Nov 25 15:15:29 vps sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/true",
      "Nov 25 15:15:30 vps sshd[1240]: Received disconnect from 198.51.100.61 port 50001:11: disconnected by user",
    ],
    expected: ["203.0.113.50", "203.0.113.51", "203.0.113.52", "203.0.113.54"],
  },
];

/** Traefik JSON lines of one client, `count` requests spread over a minute from `start`, through `router`. */
function jsonLines(
  client: string,
  count: number,
  path: string,
  router: string,
  start = Date.UTC(2026, 10, 25, 15, 20, 0),
): string[] {
  return Array.from({ length: count }, (_, i) => {
    const t = new Date(start + Math.floor((i * 1000 * 59) / count)).toISOString().replace(/\.\d+Z$/, "Z");
    return JSON.stringify({
      ClientAddr: `${client}:${40000 + i}`,
      ClientHost: client,
      ClientPort: String(40000 + i),
      ClientUsername: "-",
      DownstreamStatus: 200,
      RequestMethod: "POST",
      RequestPath: path,
      RequestProtocol: "HTTP/2.0",
      RouterName: router,
      entryPointName: "websecure",
      level: "info",
      msg: "",
      time: t,
    });
  });
}

describe.each(FAIL2BAN_VERSIONS.map((version) => [version.label, version] as const))(
  "the rendered fail2ban overlay with the real fail2ban %s",
  (_label, version) => {
    describeWithTools("filters and jails", version.requires, () => {
      let dir: string;
      let removeDir: () => void;
      let confDir: string;
      let settings: Settings;
      const results = new Map<string, ReturnType<typeof run>>();
      let check: ReturnType<typeof run>;
      let dump: ReturnType<typeof run>;
      let rates: ReturnType<typeof run>;

      beforeAll(() => {
        ({ dir, remove: removeDir } = tempDir("koprogo-fail2ban"));
        settings = prodSettingsWithLogsIn(dir);
        confDir = fail2banConfigDir(version, path.join(dir, "etc-fail2ban"), settings);
        // The CLF variant of the api-abuse filter (dev only: staging and prod refuse it), for fail2ban-regex only.
        const commonSettings = {
          ...settings,
          security: {
            ...settings.security,
            logs: { ...settings.security.logs, traefikAccessFormat: "common" as const },
          },
        };
        fs.writeFileSync(
          path.join(confDir, "filter.d/koprogo-observability-api-abuse.common.conf"),
          apiAbuseFilter(commonSettings),
        );

        check = runFail2ban(version, "fail2ban-client", ["-c", confDir, "-t"]);
        dump = runFail2ban(version, "fail2ban-client", ["-c", confDir, "-d"]);
        for (const testCase of CASES) {
          const log = path.join(dir, `${testCase.filter}.log`);
          fs.writeFileSync(log, `${testCase.lines.join("\n")}\n`);
          results.set(
            testCase.filter,
            runFail2ban(version, "fail2ban-regex", [
              "-o",
              "ip",
              log,
              path.join(confDir, "filter.d", `${testCase.filter}.conf`),
            ]),
          );
        }
        // One minute of traffic: an office of ~20 people behind one NAT address using the app (60 API calls) and
        // Grafana (two dashboards of 15 panels refreshed every 10 s: 180 queries), and a flood from another address.
        const minute = [
          ...jsonLines("203.0.113.80", 60, "/api/v1/expenses", "koprogo-backend@docker"),
          ...jsonLines("203.0.113.80", 180, "/api/ds/query", "koprogo-obs-grafana@docker"),
          ...jsonLines("203.0.113.90", 150, "/api/v1/auth/login", "koprogo-backend@docker"),
        ];
        fs.writeFileSync(path.join(dir, "minute.log"), `${minute.join("\n")}\n`);
        rates = runFail2ban(version, "fail2ban-regex", [
          "-o",
          "ip",
          path.join(dir, "minute.log"),
          path.join(confDir, "filter.d/koprogo-observability-api-abuse.conf"),
        ]);
      });

      afterAll(() => removeDir());

      it("passes fail2ban-client -t", () => {
        expect(check.output).toContain("OK: configuration test is successful");
        expect(check.status).toBe(0);
      });

      it.each([
        ["sshd", 10, "600", "600"],
        ["api-abuse", 100, "60", "3600"],
        ["postgresql", 5, "600", "3600"],
      ])("starts jail %s with maxretry %d, findtime %ss and bantime %ss", (jail, maxretry, findtime, bantime) => {
        expect(dump.output).toContain(`['add', '${jail}', 'auto']`);
        expect(dump.output).toContain(`['set', '${jail}', 'maxretry', ${maxretry}]`);
        expect(dump.output).toContain(`['set', '${jail}', 'findtime', '${findtime}']`);
        expect(dump.output).toContain(`['set', '${jail}', 'bantime', '${bantime}']`);
        expect(dump.output).toContain(`['set', '${jail}', 'addignoreip', '127.0.0.1/8', '::1', '172.16.0.0/12']`);
        expect(dump.output).toContain(`['start', '${jail}']`);
      });

      it.each(CASES.map((c) => [c.filter, c.format, c] as const))(
        "filter %s matches exactly the attack lines of %s",
        (filter, _format, testCase) => {
          const result = results.get(filter)!;
          expect(result.status).toBe(0);
          expect(result.output.trim().split("\n").filter(Boolean)).toEqual(testCase.expected);
        },
      );

      it("counts the office's API calls under the limit, none of its Grafana queries, and the whole flood", () => {
        expect(rates.status).toBe(0);
        const counts = new Map<string, number>();
        for (const ip of rates.output.trim().split("\n").filter(Boolean)) counts.set(ip, (counts.get(ip) ?? 0) + 1);
        const limit = settings.security.fail2ban.jails.apiAbuse.maxRetry;
        expect(counts.get("203.0.113.80")).toBe(60);
        expect(counts.get("203.0.113.80")!).toBeLessThan(limit);
        expect(counts.get("203.0.113.90")).toBe(150);
        expect(counts.get("203.0.113.90")!).toBeGreaterThanOrEqual(limit);
      });

      it("has a sample case for every filter the overlay ships", () => {
        const shipped = fs
          .readdirSync(path.join(confDir, "filter.d"))
          .filter((f) => f.startsWith("koprogo-"))
          .map((f) => f.replace(/\.conf$/, ""));
        expect(shipped.sort()).toEqual(
          CASES.map((c) => c.filter)
            .filter((f) => f.startsWith("koprogo-"))
            .sort(),
        );
      });

      it("is a real check: a jail naming a missing filter fails the test", () => {
        const broken = path.join(dir, "broken");
        fs.cpSync(confDir, broken, { recursive: true });
        fs.rmSync(path.join(broken, "filter.d/koprogo-postgresql.conf"));
        const result = runFail2ban(version, "fail2ban-client", ["-c", broken, "-t"]);
        expect(result.status).not.toBe(0);
        expect(result.output).toContain("koprogo-postgresql");
      });
    });
  },
);
