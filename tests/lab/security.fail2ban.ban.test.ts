/**
 * One real ban, end to end, with the deployed fail2ban (0.11.2), and the same with the newest (1.1): three network namespaces made by this test —
 * the VPS (fail2ban-server with the rendered overlay, iptables as Docker sets it up), a container behind a
 * published port (a small HTTP server that writes a Traefik JSON access-log line per request, as Traefik does for
 * the backend's router), and an attacker with two addresses. A flood of API requests from one address is
 * banned by the real fail2ban through the real iptables rule: its TCP connections to the published port are
 * dropped, the other address still connects; `fail2ban-client unban` lets it back in. The sshd jail's ban
 * (`banip`) also closes a port on the VPS itself (INPUT) and the published port (DOCKER-USER).
 *
 * The firewall of the VPS namespace is what Docker (20.10+) writes for a published port: a `DOCKER-USER`
 * chain that it leaves to the administrator (created empty with `-j RETURN`), jumped to first from `FORWARD`
 * (policy DROP), a DNAT of the published port to the container in `nat PREROUTING`, an ACCEPT of that port
 * towards the container and of the replies. So a ban in `DOCKER-USER` is exactly what stops traffic to a
 * container, and `INPUT` does not see it.
 */
import * as fs from "fs";
import * as path from "path";
import { HostLab } from "../../e2e/harness/hostLab";
import { waitUntil } from "../../e2e/harness/waitFor";
import type { Settings } from "../../settings";
import {
  DEPLOYED_FAIL2BAN,
  fail2banConfigDir,
  NEWEST_FAIL2BAN,
  runFail2ban,
  type Fail2banVersion,
} from "../helpers/fail2ban";
import { prodSettingsWithLogsIn } from "../helpers/securitySettings";
import { describeWithTools, run, tempDir } from "../helpers/tools";

/** The roles of the namespaces of one run (the harness names them `kf2b<run tag>-<role>`). */
const ROLES = { host: "host", app: "app", attacker: "atk" } as const;

const ADDR = {
  hostPublic: "10.210.1.1",
  attacker: "10.210.1.2",
  bystander: "10.210.1.3",
  hostBridge: "10.210.2.1",
  app: "10.210.2.2",
} as const;
const PUBLISHED_PORT = 8080;
const HOST_PORT = 2222;

/** A TCP connect from `from` (in the attacker namespace): `connected`, `timeout` (dropped) or `error:<code>`. */
function connect(attackerNs: string, from: string, to: string, port: number): string {
  const program = `const s=require("net").connect({host:"${to}",port:${port},localAddress:"${from}"});s.setTimeout(1500);s.on("connect",()=>{console.log("connected");s.destroy()});s.on("timeout",()=>{console.log("timeout");s.destroy()});s.on("error",(e)=>console.log("error:"+e.code));`;
  return run("ip", ["netns", "exec", attackerNs, process.execPath, "-e", program]).output.trim();
}

/** `count` HTTP requests from `from` to the published port, one connection each, sequentially. */
function flood(attackerNs: string, from: string, count: number): string {
  const program = `const http=require("http");let ok=0;(async()=>{for(let i=0;i<${count};i++){await new Promise((r)=>{const q=http.get({host:"${ADDR.hostPublic}",port:${PUBLISHED_PORT},path:"/api/v1/buildings?page="+i,localAddress:"${from}",agent:false,timeout:2000},(res)=>{res.resume();res.on("end",()=>{ok++;r()})});q.on("timeout",()=>{q.destroy();r()});q.on("error",()=>r())})}console.log(ok)})();`;
  return run("ip", ["netns", "exec", attackerNs, process.execPath, "-e", program]).output.trim();
}

const waitFor = (what: string, check: () => boolean, seconds: number) => waitUntil(what, check, seconds * 1000, 250);

describe.each([DEPLOYED_FAIL2BAN, NEWEST_FAIL2BAN].map((version, index) => [version.label, version, index] as const))(
  "fail2ban %s",
  (_label, version: Fail2banVersion) => {
    describeWithTools(
      "a real ban in network namespaces",
      [...version.requires, "ip", "iptables", "iptables-save", "sysctl"],
      () => {
        let lab: HostLab | undefined;
        let NS: { readonly [role in keyof typeof ROLES]: string };
        const connectFrom = (from: string, to: string, port: number) => connect(NS.attacker, from, to, port);
        let dir: string;
        let removeDir: () => void;
        let settings: Settings;
        let socket: string;
        let serverLog: string;
        const client = (...args: string[]) => runFail2ban(version, "fail2ban-client", ["-s", socket, ...args]);
        const banned = (jail: string) =>
          /Banned IP list:\s*(.*)$/m.exec(client("status", jail).output)?.[1].split(/\s+/).filter(Boolean) ?? [];

        beforeAll(async () => {
          ({ dir, remove: removeDir } = tempDir("koprogo-f2b-ban"));
          settings = prodSettingsWithLogsIn(dir);
          lab = new HostLab("kf2b");
          const names = { host: lab.addNamespace(ROLES.host), app: lab.addNamespace(ROLES.app) };
          NS = { ...names, attacker: lab.addNamespace(ROLES.attacker) };
          // attacker <-> VPS "public" link, VPS <-> container "bridge" link.
          lab.veth({ ns: NS.host, name: "kf2b-bh0" }, { ns: NS.attacker, name: "kf2b-ba0" });
          lab.veth({ ns: NS.host, name: "kf2b-bh1" }, { ns: NS.app, name: "kf2b-bc1" });
          lab.sh(
            NS.attacker,
            `ip link set lo up; ip link set kf2b-ba0 up; ip addr add ${ADDR.attacker}/24 dev kf2b-ba0; ip addr add ${ADDR.bystander}/24 dev kf2b-ba0; ip route add default via ${ADDR.hostPublic}`,
          );
          lab.sh(
            NS.app,
            `ip link set lo up; ip link set kf2b-bc1 up; ip addr add ${ADDR.app}/24 dev kf2b-bc1; ip route add default via ${ADDR.hostBridge}`,
          );
          lab.sh(
            NS.host,
            [
              "ip link set lo up",
              `ip link set kf2b-bh0 up; ip addr add ${ADDR.hostPublic}/24 dev kf2b-bh0`,
              `ip link set kf2b-bh1 up; ip addr add ${ADDR.hostBridge}/24 dev kf2b-bh1`,
              "sysctl -qw net.ipv4.ip_forward=1",
              // As dockerd for a container with `ports: ["8080:8080"]`.
              "iptables -w -N DOCKER-USER",
              "iptables -w -A DOCKER-USER -j RETURN",
              "iptables -w -P FORWARD DROP",
              "iptables -w -A FORWARD -j DOCKER-USER",
              "iptables -w -A FORWARD -o kf2b-bh1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
              `iptables -w -A FORWARD -d ${ADDR.app}/32 ! -i kf2b-bh1 -o kf2b-bh1 -p tcp --dport ${PUBLISHED_PORT} -j ACCEPT`,
              "iptables -w -A FORWARD -i kf2b-bh1 ! -o kf2b-bh1 -j ACCEPT",
              `iptables -w -t nat -A PREROUTING -d ${ADDR.hostPublic}/32 -p tcp --dport ${PUBLISHED_PORT} -j DNAT --to-destination ${ADDR.app}:${PUBLISHED_PORT}`,
            ].join("\n"),
          );

          // The container: Traefik's JSON access-log line for each request through the backend's router (prod's
          // format, security.logs.traefikAccessFormat: keys in Traefik's order, ClientAddr first, time last), with
          // the peer it sees.
          const accessLog = settings.security.logs.traefikAccess;
          const app = `const fs=require("fs");let n=0;require("http").createServer((q,r)=>{const t=new Date().toISOString().replace(/\\.\\d{3}Z$/,"Z");fs.appendFileSync(${JSON.stringify(accessLog)},JSON.stringify({ClientAddr:q.socket.remoteAddress+":"+q.socket.remotePort,ClientHost:q.socket.remoteAddress,DownstreamStatus:200,RequestCount:++n,RequestMethod:q.method,RequestPath:q.url,RequestProtocol:"HTTP/"+q.httpVersion,RouterName:"koprogo-backend@docker",ServiceURL:"http://${ADDR.app}:${PUBLISHED_PORT}",level:"info",msg:"",time:t})+"\\n");r.end("{}")}).listen(${PUBLISHED_PORT},"${ADDR.app}",()=>console.log("listening"));`;
          // A service of the VPS itself (sshd's place), to see INPUT bans.
          const hostService = `require("net").createServer((s)=>s.end()).listen(${HOST_PORT},"${ADDR.hostPublic}",()=>console.log("listening"));`;
          await lab.start(NS.app, process.execPath, ["-e", app], /listening/);
          await lab.start(NS.host, process.execPath, ["-e", hostService], /listening/);

          // fail2ban: the deployed version's /etc/fail2ban, the rendered overlay, and this test's socket, pid, log, db.
          const conf = fail2banConfigDir(version, path.join(dir, "etc-fail2ban"), settings);
          socket = path.join(dir, "fail2ban.sock");
          serverLog = path.join(dir, "fail2ban.log");
          fs.writeFileSync(
            path.join(conf, "fail2ban.local"),
            `[Definition]\nloglevel = INFO\nlogtarget = ${serverLog}\nsocket = ${socket}\npidfile = ${path.join(dir, "fail2ban.pid")}\ndbfile = :memory:\n`,
          );
          const { command, args, env } = version.command("fail2ban-server", ["-f", "-x", "-c", conf]);
          await lab.start(NS.host, command, args, undefined, { env });
          await waitFor("fail2ban-server to answer", () => client("ping").output.includes("pong"), 30);
          await waitFor("the api-abuse jail", () => client("status", "api-abuse").status === 0, 30);
        }, 90_000);

        afterAll(async () => {
          if (socket) client("stop");
          await lab?.destroy();
          removeDir?.();
        });

        it("lets both attacker addresses reach the published port before any ban", () => {
          expect(connectFrom(ADDR.attacker, ADDR.hostPublic, PUBLISHED_PORT)).toBe("connected");
          expect(connectFrom(ADDR.bystander, ADDR.hostPublic, PUBLISHED_PORT)).toBe("connected");
        });

        it("bans a flood of API requests and drops the flooder's packets in DOCKER-USER, on every port", async () => {
          const { maxRetry } = settings.security.fail2ban.jails.apiAbuse;
          // Beyond maxretry; answered until the ban lands (bounded: one connection at a time, 2 s timeout each).
          const answered = Number(flood(NS.attacker, ADDR.attacker, maxRetry + 20));
          expect(answered).toBeGreaterThanOrEqual(maxRetry);
          await waitFor("the api-abuse ban", () => banned("api-abuse").includes(ADDR.attacker), 30);
          // fail2ban lists an address as banned (its ban manager) before its action thread has run iptables: on a
          // loaded machine the DROP rule comes seconds later, so it is waited for, not read once.
          const filterRules = (): string[] =>
            run("ip", ["netns", "exec", NS.host, "iptables-save", "-t", "filter"]).output.split("\n");
          const drop = `-A f2b-api-abuse -s ${ADDR.attacker}/32 -j DROP`;
          await waitFor("the api-abuse DROP rule", () => filterRules().includes(drop), 30);
          const rules = filterRules();
          expect(rules).toContain("-A DOCKER-USER -j f2b-api-abuse");
          expect(rules).toContain(drop);
          expect(connectFrom(ADDR.attacker, ADDR.hostPublic, PUBLISHED_PORT)).toBe("timeout");
          expect(connectFrom(ADDR.bystander, ADDR.hostPublic, PUBLISHED_PORT)).toBe("connected");
          // Not in INPUT: the VPS's own services stay reachable for an API abuser (the sshd jail is for SSH).
          expect(connectFrom(ADDR.attacker, ADDR.hostPublic, HOST_PORT)).toBe("connected");
        }, 90_000);

        it("lets the address back in after fail2ban-client unban", async () => {
          expect(client("unban", ADDR.attacker).status).toBe(0);
          await waitFor("the unban", () => !banned("api-abuse").includes(ADDR.attacker), 10);
          expect(run("ip", ["netns", "exec", NS.host, "iptables-save", "-t", "filter"]).output).not.toContain(
            ADDR.attacker,
          );
          expect(connectFrom(ADDR.attacker, ADDR.hostPublic, PUBLISHED_PORT)).toBe("connected");
        });

        it("bans an sshd offender in INPUT (the VPS's own ports) and in DOCKER-USER (the containers)", async () => {
          expect(client("set", "sshd", "banip", ADDR.bystander).status).toBe(0);
          await waitFor("the sshd ban", () => banned("sshd").includes(ADDR.bystander), 10);
          expect(connectFrom(ADDR.bystander, ADDR.hostPublic, HOST_PORT)).toBe("timeout");
          expect(connectFrom(ADDR.bystander, ADDR.hostPublic, PUBLISHED_PORT)).toBe("timeout");
          expect(connectFrom(ADDR.attacker, ADDR.hostPublic, HOST_PORT)).toBe("connected");
          expect(client("set", "sshd", "unbanip", ADDR.bystander).status).toBe(0);
          await waitFor("the sshd unban", () => !banned("sshd").includes(ADDR.bystander), 10);
          expect(connectFrom(ADDR.bystander, ADDR.hostPublic, HOST_PORT)).toBe("connected");
        });

        it("logged the ban and the unban in fail2ban's own log", () => {
          const log = fs.readFileSync(serverLog, "utf8");
          expect(log).toContain(`[api-abuse] Ban ${ADDR.attacker}`);
          expect(log).toMatch(new RegExp(`\\[api-abuse\\] Unban ${ADDR.attacker.replace(/\./g, "\\.")}`));
        });
      },
    );
  },
);
