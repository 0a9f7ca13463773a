/**
 * Every PromQL query of the rendered dashboards (`grafana/dashboards/*.json` from `renderAll`), ready to run
 * against a live Prometheus: Grafana's variables replaced, and which queries must return data in the e2e stack.
 * It reads the rendered files, not the dashboard modules, so it checks exactly what Grafana would load and works
 * whichever way the dashboards are built.
 */
import { parser } from "@prometheus-io/lezer-promql";
import { JOBS } from "../contract/jobs";
import type { RenderedFile } from "../render/types";

export interface DashboardQuery {
  readonly dashboard: string;
  readonly panel: string;
  /** The query as the dashboard has it. */
  readonly raw: string;
  /** Variables replaced: what is sent to Prometheus. */
  readonly expr: string;
  /** Metric names the query reads. */
  readonly metrics: readonly string[];
  /** Why the e2e stack cannot have its data (a source it does not run), or undefined when it must return data. */
  readonly exempt?: string;
  /** The same query without a top-level filter (`… > 1`), whose series must exist even when nothing crosses it. */
  readonly unfiltered?: string;
}

/** Sources the e2e stack does not run, by metric name prefix: their panels are only checked for valid PromQL. */
export const ABSENT_IN_E2E: readonly { prefix: RegExp; source: string }[] = [
  { prefix: /^traefik_/, source: "Traefik" },
  { prefix: /^(crowdsec|cs)_/, source: "CrowdSec" },
  { prefix: /^suricata_/, source: "Suricata" },
  { prefix: /^fail2ban_/, source: "fail2ban" },
  { prefix: /^loki_/, source: "Loki" },
  { prefix: /^alloy_/, source: "Alloy" },
  { prefix: /^grafana_/, source: "Grafana" },
  { prefix: /^container_/, source: "cAdvisor" },
  { prefix: /^minio_/, source: "MinIO" },
  { prefix: /^probe_/, source: "the blackbox exporter" },
  // The backup script's file, which the node exporter's textfile collector reads on the VPS only.
  { prefix: /^koprogo_last_backup_/, source: "KoproGo's backup script" },
];

/** Scrape jobs of sources the e2e stack does not run, whose `up` has no series there (`up{job="crowdsec"}`). */
export const ABSENT_JOBS_IN_E2E: readonly { job: string; source: string }[] = [
  { job: JOBS.crowdsec, source: "CrowdSec" },
  { job: JOBS.cadvisor, source: "cAdvisor" },
  { job: JOBS.minio, source: "MinIO" },
  { job: JOBS.traefik, source: "Traefik" },
];

interface Panel {
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string; datasource?: { type?: string; uid?: string } }[];
  panels?: Panel[];
}

/** Grafana's built-in interval variables, at values that suit a short e2e run. */
export const E2E_BUILTINS: Readonly<Record<string, string>> = {
  __rate_interval: "1m",
  __interval: "15s",
  __range: "1h",
  __auto: "1m",
};

/**
 * Replaces Grafana variables: the built-ins by a duration, a dashboard variable in a label matcher by "any value"
 * (`label=~".+"`), as "All" would.
 */
export function substituteVariables(expr: string, builtins: Readonly<Record<string, string>> = E2E_BUILTINS): string {
  return expr
    .replace(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|=|!=|!~)\s*"([^"]*\$[^"]*)"/g, (_match, label: string, op: string) =>
      op.startsWith("!") ? `${label}!~"^$"` : `${label}=~".+"`,
    )
    .replace(/\$\{?(__[a-z_]+)(?::[a-z]+)?\}?/g, (match, name: string) => builtins[name] ?? match);
}

/** Metric names in a PromQL expression (through the PromQL grammar, not a regex). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.name === "VectorSelector") {
        const identifier = node.node.getChild("Identifier");
        if (identifier) names.add(expr.slice(identifier.from, identifier.to));
        // `{__name__="x"}` selectors.
        const byName = /__name__\s*=\s*"([^"]+)"/.exec(expr.slice(node.from, node.to));
        if (byName) names.add(byName[1]);
      }
    },
  });
  return [...names];
}

const COMPARISONS = new Set(["Gtr", "Lss", "Gte", "Lte", "Eql", "Neq"]);

type SyntaxNode = NonNullable<ReturnType<typeof parser.parse>["topNode"]["firstChild"]>;

/** For a node `<expr> > 1` (a filter against a number, without `bool`), the text of `<expr>`; else undefined. */
function filteredSide(node: SyntaxNode, expr: string): string | undefined {
  if (node.name !== "BinaryExpr") return undefined;
  const [left, right] = [node.firstChild, node.lastChild];
  const operator = left?.nextSibling;
  if (!left || !right || !operator || !COMPARISONS.has(operator.name)) return undefined;
  if (expr.slice(operator.to, right.from).includes("bool")) return undefined;
  const isNumber = (n: SyntaxNode) => n.name === "NumberDurationLiteral" || n.name === "NumberLiteral";
  if (isNumber(right)) return expr.slice(left.from, left.to);
  if (isNumber(left)) return expr.slice(right.from, right.to);
  return undefined;
}

/**
 * For `<expr> > 1` (a filter against a number, without `bool`), `<expr>`; also when the filter is the last argument
 * of the aggregations, functions and parentheses around it (`topk(20, <expr> > 1)` → `topk(20, <expr>)`): they
 * return nothing when it returns nothing. Else undefined.
 */
export function withoutTopLevelFilter(expr: string): string | undefined {
  let node = parser.parse(expr).topNode.firstChild;
  while (node) {
    const kept = filteredSide(node, expr);
    if (kept !== undefined) return `${expr.slice(0, node.from)}${kept}${expr.slice(node.to)}`;
    if (node.name === "ParenExpr") node = node.lastChild;
    else if (node.name === "AggregateExpr" || node.name === "FunctionCall")
      node = node.getChild("FunctionCallBody")?.lastChild ?? null;
    else return undefined;
  }
  return undefined;
}

function flattenPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...flattenPanels(panel.panels ?? [])]);
}

const isLoki = (source?: { type?: string; uid?: string }) => source?.type === "loki" || source?.uid === "loki";

/** The Prometheus queries of every rendered dashboard. */
export function dashboardQueries(files: readonly RenderedFile[]): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const file of files.filter((f) => /^grafana\/dashboards\/[^/]+\.json$/.test(f.path))) {
    const dashboard = JSON.parse(file.content) as { uid?: string; panels?: Panel[] };
    for (const panel of flattenPanels(dashboard.panels ?? [])) {
      for (const target of panel.targets ?? []) {
        if (!target.expr || isLoki(target.datasource ?? panel.datasource)) continue;
        const expr = substituteVariables(target.expr);
        const metrics = metricNames(expr);
        const absent =
          metrics.map((name) => ABSENT_IN_E2E.find((a) => a.prefix.test(name))).find((a) => a !== undefined) ??
          ABSENT_JOBS_IN_E2E.find((a) => expr.includes(`job="${a.job}"`));
        queries.push({
          dashboard: dashboard.uid ?? file.path,
          panel: panel.title ?? "(untitled)",
          raw: target.expr,
          expr,
          metrics,
          exempt: absent ? `${absent.source} does not run in the e2e stack` : undefined,
          unfiltered: withoutTopLevelFilter(expr),
        });
      }
    }
  }
  return queries;
}
