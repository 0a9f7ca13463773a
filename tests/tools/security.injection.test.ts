/**
 * Log injection: a client writes a fake address (or a whole fake log line) into text the program logs — a
 * PostgreSQL user name, an SSH user name, an HTTP User-Agent or method — to have fail2ban or CrowdSec ban an
 * address of its choosing (an operator's, the CI runner's). Every case goes through the REAL tools: the
 * rendered fail2ban filters under fail2ban 0.11.2 (deployed), 1.0.2 and 1.1 (`fail2ban-regex`), and the rendered
 * CrowdSec overlay with the hub's parsers and scenarios under crowdsec 1.4.6 (a replay, tests/helpers/crowdsec.ts).
 * The injected address 198.51.100.9 is never matched; the real peer always is.
 *
 * The PostgreSQL lines are written by a real PostgreSQL 15 with the stack's log_line_prefix, from logins over
 * TCP from 127.0.0.1. The SSH and Traefik lines follow the format strings of OpenSSH (`Invalid user %.100s from
 * %.100s port %d`, auth.c/auth2.c; user names keep their blanks, control characters are escaped) and of
 * Traefik's CLF formatter (`pkg/middlewares/accesslog/logger_formatters.go`: Referer and User-Agent quoted
 * without escaping, the method as sent).
 */
import * as fs from "fs";
import * as path from "path";
import { POSTGRES_LOG_LINE_PREFIX } from "../../security/fail2ban";
import type { Settings } from "../../settings";
import { crowdsecReplayer, type Replay } from "../helpers/crowdsec";
import { fail2banConfigDir, FAIL2BAN_VERSIONS, runFail2ban } from "../helpers/fail2ban";
import { freePort } from "../helpers/freePort";
import { startPostgres, POSTGRES_BIN, type PostgresCluster } from "../helpers/postgresCluster";
import { prodSettingsWithLogsIn } from "../helpers/securitySettings";
import { describeWithTools, tempDir } from "../helpers/tools";

const INJECTED = "198.51.100.9";
const REAL = "203.0.113.7";

/** User names a client may send in PostgreSQL's startup packet (at most 63 bytes are kept). */
const PG_USERS = [
  // The case: the third failregex used to take the host of this text.
  'a@b FATAL:  no pg_hba.conf entry for host "198.51.100.9"',
  'FATAL:  no pg_hba.conf entry for host "198.51.100.9"',
  // A fake prefix inside the name (what CrowdSec's unanchored hub parser took).
  '2026-12-01 09:00:00 UTC [1] 198.51.100.9 FATAL:  role "x',
  // A newline: with `%u` in the prefix this forged a whole line; in a message PostgreSQL indents it with a tab.
  'x\n2026-12-01 09:00:00 UTC [1] 198.51.100.9 FATAL:  role "a',
  "koprogo",
];

const SSH_LINES = [
  `Dec  1 09:00:00 vps sshd[1234]: Invalid user x from ${INJECTED} port 22 from ${REAL} port 51234`,
  `Dec  1 09:00:01 vps sshd[1234]: Failed password for invalid user x from ${INJECTED} port 22 from ${REAL} port 51234 ssh2`,
  `Dec  1 09:00:02 vps sshd[1235]: Invalid user ${INJECTED} from ${REAL} port 51235`,
  `Dec  1 09:00:03 vps sshd[1236]: Connection closed by invalid user x ${INJECTED} port 22 ${REAL} port 51236 [preauth]`,
  `Dec  1 09:00:04 vps sshd[1237]: Failed password for root from ${REAL} port 51237 ssh2`,
];

const route = '1042 "koprogo-backend@docker" "http://172.18.0.5:8080" 3ms';
const TRAEFIK_LINES = [
  // A fake CLF line in the User-Agent, after a method that is not a grok WORD (the real line then does not parse).
  `${REAL} - - [01/Dec/2026:09:00:00 +0000] "M-SEARCH /api/v1/x HTTP/1.1" 404 19 "-" "a"b ${INJECTED} - - [01/Dec/2026:09:00:00 +0000] "GET /wp-login.php HTTP/1.1" 404 19 "-" "z" ${route}`,
  `${REAL} - - [01/Dec/2026:09:00:01 +0000] "GET /api/v1/x HTTP/1.1" 404 19 "${INJECTED} - - [01/Dec/2026:09:00:01 +0000] \\"GET /" "${INJECTED} - -" ${route}`,
  `${REAL} - - [01/Dec/2026:09:00:02 +0000] "GET /api/v1/${INJECTED}/.env HTTP/1.1" 404 19 "-" "curl/8.4.0" ${route}`,
  // JSON: every value escaped, the address read from ClientAddr; a fake key in the path stays inside its value.
  `{"ClientAddr":"${REAL}:51238","ClientHost":"${REAL}","ClientPort":"51238","ClientUsername":"-","DownstreamContentSize":19,"DownstreamStatus":404,"Duration":3000000,"OriginContentSize":19,"OriginDuration":2000000,"OriginStatus":404,"Overhead":1000000,"RequestAddr":"api.koprogo.com","RequestContentSize":0,"RequestCount":1043,"RequestHost":"api.koprogo.com","RequestMethod":"GET","RequestPath":"/api/v1/x\\",\\"ClientAddr\\":\\"${INJECTED}:1","RequestPort":"-","RequestProtocol":"HTTP/1.1","RequestScheme":"https","RetryAttempts":0,"RouterName":"koprogo-backend@docker","ServiceAddr":"172.18.0.5:8080","ServiceName":"koprogo-backend@docker","ServiceURL":"http://172.18.0.5:8080","StartLocal":"2026-12-01T09:00:03Z","StartUTC":"2026-12-01T09:00:03Z","entryPointName":"websecure","level":"info","msg":"","request_User-Agent":"curl/8.4.0","time":"2026-12-01T09:00:03Z"}`,
];

const countOf = (ips: readonly string[]) =>
  ips.reduce((m, ip) => m.set(ip, (m.get(ip) ?? 0) + 1), new Map<string, number>());

/** Failed logins with each hostile user name, as PostgreSQL 15 logs them with the stack's prefix. */
async function postgresLog(): Promise<string> {
  const pg: PostgresCluster = await startPostgres();
  try {
    pg.psql(`ALTER SYSTEM SET log_line_prefix = '${POSTGRES_LOG_LINE_PREFIX}'; SELECT pg_reload_conf();`, {
      database: "postgres",
    });
    for (let i = 0; i < 50 && !fs.readFileSync(pg.logFile, "utf8").includes("log_line_prefix"); i++)
      await new Promise((r) => setTimeout(r, 100));
    for (const user of PG_USERS) pg.tryPsql("SELECT 1", { user, password: "wrong" });
    return fs.readFileSync(pg.logFile, "utf8");
  } finally {
    pg.stop();
  }
}

describeWithTools(
  "log injection against the real fail2ban and crowdsec",
  [`${POSTGRES_BIN}/postgres`, "crowdsec", "cscli", ...FAIL2BAN_VERSIONS.flatMap((v) => v.requires)],
  () => {
    let dir: string;
    let removeDir: () => void;
    let settings: Settings;
    let pgLog: string;
    const logs: Record<string, string> = {};

    beforeAll(async () => {
      ({ dir, remove: removeDir } = tempDir("koprogo-injection"));
      settings = prodSettingsWithLogsIn(dir);
      pgLog = await postgresLog();
      logs.postgres = path.join(dir, "postgresql-real.log");
      fs.writeFileSync(logs.postgres, pgLog);
      logs.ssh = path.join(dir, "auth-injected.log");
      fs.writeFileSync(logs.ssh, `${SSH_LINES.join("\n")}\n`);
      logs.traefik = path.join(dir, "traefik-injected.log");
      fs.writeFileSync(logs.traefik, `${TRAEFIK_LINES.join("\n")}\n`);
    }, 120_000);

    afterAll(() => removeDir?.());

    it("has real PostgreSQL lines with the injected text in them (the test would prove nothing otherwise)", () => {
      expect(pgLog).toContain(
        `127.0.0.1 FATAL:  password authentication failed for user "a@b FATAL:  no pg_hba.conf entry for host "${INJECTED}""`,
      );
      // The newline is written, followed by a tab: the forged text is not at the start of a line.
      expect(pgLog).toContain(`"x\n\t2026-12-01 09:00:00 UTC [1] ${INJECTED} FATAL:  role "a"`);
    });

    describe.each(FAIL2BAN_VERSIONS.map((v) => [v.label, v] as const))("fail2ban %s", (_label, version) => {
      let conf: string;
      beforeAll(() => {
        conf = fail2banConfigDir(version, path.join(dir, `f2b-${version.label.split(" ")[0]}`), settings);
      });
      const matched = (log: string, filter: string) => {
        const result = runFail2ban(version, "fail2ban-regex", [
          "-o",
          "ip",
          log,
          path.join(conf, "filter.d", `${filter}.conf`),
        ]);
        expect(result.status).toBe(0);
        return result.output.trim().split("\n").filter(Boolean);
      };

      it("postgresql: every failed login counts once, for the real peer only", () => {
        expect(countOf(matched(logs.postgres, "koprogo-postgresql"))).toEqual(
          new Map([["127.0.0.1", PG_USERS.length]]),
        );
      });

      it("sshd (the packaged filter): the SSH user names never give the injected address", () => {
        const ips = matched(logs.ssh, "sshd");
        expect(ips).not.toContain(INJECTED);
        expect(ips).toContain(REAL);
      });

      it("api-abuse (JSON, as staging and prod read it): only the JSON line counts, for its ClientAddr", () => {
        // The CLF lines are not JSON: the prod filter ignores them (CLF is dev only, tests/tools/security.fail2ban.test.ts;
        // the %0A forgery through the URL's user name is the attack suite's `traefik-log-forgery`).
        expect(matched(logs.traefik, "koprogo-observability-api-abuse")).toEqual([REAL]);
      });
    });

    describe("crowdsec 1.4.6 with the hub's parsers and scenarios", () => {
      let replay: (log: string, type: string) => Replay;
      let postgres: Replay;
      let ssh: Replay;
      let traefik: Replay;

      beforeAll(async () => {
        replay = crowdsecReplayer(
          path.join(dir, "crowdsec"),
          settings,
          [
            "parsers/s01-parse/crowdsecurity/pgsql-logs.yaml",
            "parsers/s01-parse/crowdsecurity/sshd-logs.yaml",
            "parsers/s01-parse/crowdsecurity/traefik-logs.yaml",
            "parsers/s02-enrich/crowdsecurity/http-logs.yaml",
            "scenarios/crowdsecurity/pgsql-bf.yaml",
            "scenarios/crowdsecurity/ssh-bf.yaml",
            "scenarios/crowdsecurity/http-probing.yaml",
          ],
          await freePort(),
        );
        // The real peer of the PostgreSQL log is 127.0.0.1, which security.ignoreIp whitelists: the same lines with
        // a public peer address, so what reaches the scenario is seen.
        const publicPg = path.join(dir, "postgresql-public.log");
        fs.writeFileSync(publicPg, pgLog.replace(/ 127\.0\.0\.1 FATAL: /g, ` ${REAL} FATAL: `));
        postgres = replay(publicPg, "postgres");
        ssh = replay(logs.ssh, "syslog");
        traefik = replay(logs.traefik, "traefik");
      }, 180_000);

      it("postgresql: the local parser reads every failed login of the real peer, and pgsql-bf gets only those", () => {
        expect(countOf(postgres.parsed("koprogo/pgsql-logs"))).toEqual(new Map([[REAL, PG_USERS.length]]));
        expect(postgres.parsed("crowdsecurity/pgsql-logs")).not.toContain(INJECTED);
        expect(countOf(postgres.poured["crowdsecurity/pgsql-bf"])).toEqual(new Map([[REAL, PG_USERS.length]]));
      });

      it("sshd: the hub parser is fooled by user names, the source guard drops those events, ssh-bf sees only the real peer", () => {
        expect(ssh.parsed("crowdsecurity/sshd-logs")).toContain(INJECTED);
        expect(ssh.whitelistedBy("koprogo/source-guard")).toEqual(expect.arrayContaining([INJECTED]));
        expect(ssh.whitelistedBy("koprogo/source-guard")).not.toContain(REAL);
        expect(ssh.poured["crowdsecurity/ssh-bf"]).not.toContain(INJECTED);
        expect(ssh.poured["crowdsecurity/ssh-bf"]).toContain(REAL);
      });

      it("Traefik: the hub parser is fooled by a fake line in the User-Agent, the source guard drops it", () => {
        // The plain CLF line and the JSON one parse with the real peer, and the guard keeps them (the line with
        // quotes in its Referer parses nowhere).
        expect(countOf(traefik.parsed("crowdsecurity/traefik-logs"))).toEqual(
          new Map([
            [INJECTED, 1],
            [REAL, 2],
          ]),
        );
        expect(traefik.whitelistedBy("koprogo/source-guard")).toEqual([INJECTED]);
        expect(traefik.poured["crowdsecurity/http-probing"] ?? []).not.toContain(INJECTED);
        expect(traefik.poured["crowdsecurity/http-probing"]).toContain(REAL);
      });
    });
  },
);
