import {
  IGNORED_FS_TYPES,
  nodeExporterContainerFlags,
  nodeExporterFlags,
  TEXTFILE_DIRECTORY_IN_CONTAINER,
} from "../../exporters/node";
import { monitoringRoleSql, postgresExporterEnv } from "../../exporters/postgres";
import { parseStackConfig } from "../../settings";
import { startPostgres, POSTGRES_BIN, type PostgresCluster } from "../helpers/postgresCluster";
import { describeWithTools, toolPath } from "../helpers/tools";

const settings = parseStackConfig("dev", {}, new Set()).settings;

describe("node exporter flags", () => {
  it("listens on the Docker bridge gateway, never on every interface", () => {
    expect(nodeExporterContainerFlags(settings)).toContain("--web.listen-address=172.17.0.1:9100");
  });

  it("keeps only the collectors the alerts and dashboards read", () => {
    const flags = nodeExporterFlags("127.0.0.1:9100", "/");
    expect(flags).toContain("--collector.disable-defaults");
    expect(flags.filter((f) => /^--collector\.\w+$/.test(f)).sort()).toEqual(
      [
        "--collector.cpu",
        "--collector.diskstats",
        "--collector.filesystem",
        "--collector.loadavg",
        "--collector.meminfo",
        "--collector.netdev",
        "--collector.processes",
        "--collector.stat",
        "--collector.uname",
        "--collector.vmstat",
      ].sort(),
    );
    // vmstat for HostOomKill, and only its oom_kill field.
    expect(flags).toContain("--collector.vmstat.fields=^oom_kill$");
  });

  it("reads the backup script's metric file on the monitoring host only", () => {
    expect(nodeExporterContainerFlags(settings, undefined, true)).toEqual(
      expect.arrayContaining([
        "--collector.textfile",
        `--collector.textfile.directory=${TEXTFILE_DIRECTORY_IN_CONTAINER}`,
      ]),
    );
    expect(nodeExporterContainerFlags(settings).join(" ")).not.toContain("textfile");
  });

  it.each(["tmpfs", "overlay", "squashfs", "proc"])("ignores %s filesystems", (fs) => {
    expect(new RegExp(IGNORED_FS_TYPES).test(fs)).toBe(true);
  });

  it.each(["ext4", "xfs", "btrfs"])("keeps %s filesystems", (fs) => {
    expect(new RegExp(IGNORED_FS_TYPES).test(fs)).toBe(false);
  });
});

describe("PostgreSQL exporter connection", () => {
  it("reads its password from a file, never from the environment", () => {
    const env = postgresExporterEnv(settings);
    expect(env).toEqual([
      "DATA_SOURCE_URI=koprogo-postgres:5432/koprogo_db?sslmode=disable",
      "DATA_SOURCE_USER=koprogo_monitoring",
      "DATA_SOURCE_PASS_FILE=/etc/postgres-exporter/password",
    ]);
  });

  it("escapes quotes in the password and the role name", () => {
    const sql = monitoringRoleSql('odd"role', "it's", "koprogo_db");
    expect(sql).toContain(`PASSWORD 'it''s'`);
    expect(sql).toContain(`ALTER ROLE "odd""role"`);
  });
});

describeWithTools(
  "the monitoring role on a real PostgreSQL 15",
  [`${POSTGRES_BIN}/initdb`, `${POSTGRES_BIN}/psql`],
  () => {
    let cluster: PostgresCluster;
    const password = "s3cret-with-'quote";
    beforeAll(async () => {
      cluster = await startPostgres();
      cluster.psql("CREATE TABLE owners (id int); INSERT INTO owners VALUES (1);");
      cluster.psql(monitoringRoleSql("koprogo_monitoring", password, "koprogo_db"));
    }, 60_000);
    afterAll(() => cluster?.stop());

    const asMonitor = (sql: string) => cluster.tryPsql(sql, { user: "koprogo_monitoring", password });

    it("logs in with the password over TCP", () => {
      expect(asMonitor("SELECT current_user;")).toEqual({ status: 0, output: "koprogo_monitoring\n" });
    });

    it("is a member of pg_monitor and nothing more", () => {
      expect(
        asMonitor(
          "SELECT string_agg(b.rolname, ',') FROM pg_auth_members m JOIN pg_roles b ON m.roleid = b.oid JOIN pg_roles r ON m.member = r.oid WHERE r.rolname = current_user;",
        ).output.trim(),
      ).toBe("pg_monitor");
      expect(
        asMonitor(
          "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication FROM pg_roles WHERE rolname = current_user;",
        ).output.trim(),
      ).toBe("f");
    });

    it("cannot read the application's data", () => {
      const result = asMonitor("SELECT * FROM owners;");
      expect(result.status).not.toBe(0);
      expect(result.output).toContain("permission denied");
    });

    it("cannot write, even where it could create objects", () => {
      const result = asMonitor("CREATE TABLE public.spy (id int);");
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/read-only transaction|permission denied/);
    });

    it("reads every session's activity and pg_stat_statements", () => {
      expect(asMonitor("SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = 'koprogo';").status).toBe(0);
      expect(asMonitor("SELECT count(*) >= 0 FROM pg_stat_statements;")).toEqual({ status: 0, output: "t\n" });
    });

    it("can be applied again without error (idempotent), with a new password", () => {
      cluster.psql(monitoringRoleSql("koprogo_monitoring", "rotated", "koprogo_db"));
      expect(cluster.tryPsql("SELECT 1;", { user: "koprogo_monitoring", password: "rotated" }).status).toBe(0);
      cluster.psql(monitoringRoleSql("koprogo_monitoring", password, "koprogo_db"));
    });
  },
);

describeWithTools("the real node exporter with these flags", [toolPath("nodeExporter")], () => {
  let metrics = "";
  beforeAll(async () => {
    const { spawn } = await import("child_process");
    const { freePort } = await import("../helpers/freePort");
    const port = await freePort();
    const exporter = spawn(toolPath("nodeExporter"), nodeExporterFlags(`127.0.0.1:${port}`, "/"), { stdio: "ignore" });
    try {
      for (let attempt = 0; attempt < 50 && !metrics; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        metrics = await fetch(`http://127.0.0.1:${port}/metrics`)
          .then((r) => r.text())
          .catch(() => "");
      }
    } finally {
      exporter.kill("SIGKILL");
    }
  });

  it.each([
    "node_cpu_seconds_total",
    "node_memory_MemAvailable_bytes",
    "node_filesystem_avail_bytes",
    "node_load1",
    "node_disk_read_bytes_total",
    "node_procs_running",
    "node_processes_pids",
  ])("exposes %s", (metric) => {
    expect(metrics).toMatch(new RegExp(`^${metric}[{ ]`, "m"));
  });

  it("reports no pseudo filesystem and no loopback interface", () => {
    expect(metrics).not.toMatch(/node_filesystem_size_bytes\{[^}]*fstype="(tmpfs|overlay|proc|sysfs)"/);
    expect(metrics).not.toMatch(/node_network_receive_bytes_total\{device="lo"/);
  });
});
