/**
 * The rendered `config.alloy` on the Grafana Alloy the tool cache builds (toolchain/versions.ts says which), and
 * its lines in a real Loki (the deployed 3.5.3 on the prod `loki.yaml`):
 * - `alloy fmt` leaves every committed stack's file unchanged (the generator writes Alloy's own formatting);
 * - `alloy run` starts on the file of a test profile (e2e/logLines.ts: the log settings prod ships, Loki on
 *   loopback, the backend's and PostgreSQL's logs as host files), reads real lines from the host files and real journal files,
 *   and Loki answers them back by every `job` those sources carry, with the labels and structured metadata the
 *   pipeline gives, and to the runbook's LogQL (logs/queries.ts).
 * Alloy runs in a mount namespace of its own (e2e/alloy.ts): the machine's `/var/log` and journal are untouched.
 */
import * as fs from "fs";
import * as path from "path";
import { LOG_JOBS } from "../contract/logs";
import { hostLogPath, startAlloy, TEST_MACHINE_ID, type RealAlloy } from "../e2e/alloy";
import { appendJournal, JOURNAL_REMOTE } from "../e2e/journal";
import { hostFileSamples, journalSamples, logsTestProfile } from "../e2e/logLines";
import { lokiQueryRange, lokiStreams, startLoki, type LokiStream, type RealLoki } from "../e2e/loki";
import { stopAll, waitFor } from "../e2e/processes";
import { logQueries, type LogQueryName } from "../logs/queries";
import { renderAll } from "../render";
import { placeholderSecrets, type Settings } from "../settings";
import { toolPath } from "../toolchain/cache";
import { committedStacks, renderedFiles } from "./helpers/renderedStacks";
import { describeWithTools, run, tempDir } from "./helpers/tools";

const ALLOY = toolPath("alloy");
const LOKI = toolPath("loki");

describeWithTools("alloy fmt on every stack's config.alloy", [ALLOY], () => {
  const tmp = tempDir("alloy-fmt");
  afterAll(() => tmp.remove());

  it.each(committedStacks())("leaves the %s stack's files as rendered", (stack) => {
    for (const file of renderedFiles(stack, "config.alloy")) {
      const target = path.join(tmp.dir, stack, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, file.content);
      const result = run(ALLOY, ["fmt", target]);
      expect({ file: `${stack}:${file.path}`, status: result.status }).toEqual({
        file: `${stack}:${file.path}`,
        status: 0,
      });
      expect(result.output).toBe(file.content);
    }
  });

  it("rewrites a file that is not in its format (so the check is not a no-op)", () => {
    const rendered = renderedFiles("prod", "config.alloy")[0].content;
    const target = path.join(tmp.dir, "unformatted.alloy");
    fs.writeFileSync(target, rendered.replace(/^(\s*)(\S)/m, "$1   $2"));
    const result = run(ALLOY, ["fmt", target]);
    expect(result.status).toBe(0);
    expect(result.output).not.toBe(fs.readFileSync(target, "utf8"));
  });
});

const metadataOf = (stream: LokiStream) => stream.stream;

describeWithTools(
  "a real Alloy on a test profile, shipping host files and the journal into a real Loki",
  [ALLOY, LOKI, JOURNAL_REMOTE, "unshare"],
  () => {
    const tmp = tempDir("alloy-real");
    let loki: RealLoki;
    let alloy: RealAlloy;
    let settings: Settings;
    const marker = `koprogoalloy${process.pid}x${Date.now()}`;

    beforeAll(async () => {
      loki = await startLoki({
        binary: LOKI,
        rendered: renderedFiles("prod", "loki/loki.yaml")[0].content,
        dir: path.join(tmp.dir, "loki"),
      });
      settings = logsTestProfile(loki.address);
      const config = renderAll(settings, placeholderSecrets(settings)).find((f) => f.path === "alloy/config.alloy");
      if (!config) throw new Error("the test profile renders no alloy/config.alloy");
      alloy = await startAlloy({
        binary: ALLOY,
        rendered: config.content,
        dir: path.join(tmp.dir, "alloy"),
        prepare: (dirs) => {
          // The files exist before Alloy starts (it starts them at their end: tail_from_end), the journal has an
          // entry from before the start (read back up to journal.maxAge).
          for (const sample of hostFileSamples(settings)) {
            const target = hostLogPath(dirs, sample.file);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, "an old line, before Alloy started: never shipped\n");
          }
          appendJournal(dirs.journal, TEST_MACHINE_ID, [
            { message: `${marker} journal: before the start`, unit: "cron.service", priority: 6 },
          ]);
        },
      });
      // Alloy tails from the end once it has opened a file: a warm-up line per file until each shows in Loki.
      const files = [...new Set(hostFileSamples(settings).map((s) => s.file))];
      await waitFor(
        "a warm-up line of every host file in Loki",
        async () => {
          for (const file of files) fs.appendFileSync(hostLogPath(alloy.dirs, file), `${marker} warm-up\n`);
          const streams = await lokiStreams(loki.url, `{job=~".+"} |= "${marker} warm-up"`, 600_000);
          const seen = new Set(streams.map((s) => s.stream.job));
          const jobs = new Set(hostFileSamples(settings).map((s) => s.job));
          return [...jobs].every((j) => seen.has(j)) ? true : undefined;
        },
        60_000,
        2000,
      );
      const now = new Date();
      for (const sample of hostFileSamples(settings))
        fs.appendFileSync(hostLogPath(alloy.dirs, sample.file), `${sample.line(marker, now)}\n`);
      appendJournal(alloy.dirs.journal, TEST_MACHINE_ID, journalSamples(marker));
    }, 240_000);

    afterAll(async () => {
      await stopAll();
      tmp.remove();
    });

    /** Every stream holding the marker, once `count` of its lines (warm-ups excluded) are in Loki. */
    async function shipped(count: number): Promise<LokiStream[]> {
      return waitFor(
        `${count} lines with the marker in Loki`,
        async () => {
          const streams = await lokiStreams(loki.url, `{job=~".+"} |= "${marker}" != "warm-up"`, 600_000);
          return streams.reduce((n, s) => n + s.values.length, 0) >= count ? streams : undefined;
        },
        60_000,
        1000,
      );
    }

    it("ships one line per sample of each host file, by job, with the pipeline's labels and structured metadata", async () => {
      const samples = hostFileSamples(settings);
      await shipped(samples.length + 2);
      for (const sample of samples) {
        const needle = sample.line(marker, new Date(0)).includes(marker) ? marker : "";
        const streams = await lokiStreams(loki.url, `{job="${sample.job}"} |= "${needle}"`, 600_000);
        const labels = { job: sample.job, environment: "e2e", host: settings.alloy.hostLabel, ...sample.labels };
        const stream = streams.find((s) => Object.entries(labels).every(([k, v]) => s.stream[k] === v));
        expect({ job: sample.job, found: stream !== undefined, streams: streams.map((s) => s.stream) }).toMatchObject({
          job: sample.job,
          found: true,
        });
        // Loki returns structured metadata among the stream's labels of a log query (categorised answer off).
        if (sample.metadata) expect(metadataOf(stream!)).toMatchObject(sample.metadata);
      }
    });

    it("drops the old lines that were in the files before Alloy started (tail_from_end)", async () => {
      const old = await lokiStreams(loki.url, `{job=~".+"} |= "before Alloy started"`, 600_000);
      expect(old).toEqual([]);
    });

    it("ships the journal: unit and level from its fields, debug entries and sshd (already in auth.log) dropped", async () => {
      const streams = await waitFor(
        "the journal lines",
        async () => {
          const found = await lokiStreams(loki.url, `{job="${LOG_JOBS.journal}"} |= "${marker}"`, 600_000);
          return found.reduce((n, s) => n + s.values.length, 0) >= 2 ? found : undefined;
        },
        60_000,
        1000,
      );
      const lines = streams.flatMap((s) => s.values.map(([, line]) => ({ line, labels: s.stream })));
      expect(lines.map((l) => l.line).sort()).toEqual(
        [`${marker} journal: before the start`, `${marker} journal: container died`].sort(),
      );
      expect(lines.find((l) => l.line.endsWith("container died"))?.labels).toMatchObject({
        job: LOG_JOBS.journal,
        unit: "docker.service",
        level: "error",
      });
    });

    const queriesWithData: LogQueryName[] = [
      "apiErrors",
      "apiSlowRequests",
      "apiLoginFailures",
      "databaseErrors",
      "suricataAlerts",
      "fail2banBans",
      "sshLoginFailures",
      "errorRateByJob",
      "logVolumeByJob",
      "activeStreams",
    ];

    it.each(queriesWithData)("the runbook's %s query finds the shipped lines", async (name) => {
      await shipped(hostFileSamples(settings).length + 2);
      const query = logQueries(settings)[name].expr;
      const data = await lokiQueryRange(loki.url, query, { sinceMs: 600_000 });
      const result = data.result as unknown[];
      expect({ name, query, results: result.length }).toMatchObject({ name, query });
      expect(result.length).toBeGreaterThan(0);
    });

    it("the runbook's traefikServerErrors query is valid for Loki (Traefik's logs come from its container)", async () => {
      const data = await lokiQueryRange(loki.url, logQueries(settings).traefikServerErrors.expr, { sinceMs: 600_000 });
      expect(data.resultType).toBe("streams");
    });

    it("writes no error line of its own while shipping", () => {
      const errors = alloy
        .log()
        .filter((l) => /(^|\s)level=error(\s|$)/.test(l))
        // The monitoring host's config also reads Docker through the socket proxy, which this test does not run.
        .filter((l) => !/component_id=(discovery|loki\.source)\.docker\./.test(l));
      expect(errors).toEqual([]);
    });
  },
);
