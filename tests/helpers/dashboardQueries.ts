/** Every query of a built dashboard model, with where it comes from, for the query and metric tests. */
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";

export interface DashboardQuery {
  /** `<dashboard uid> / <panel, annotation or variable>`, for failure messages. */
  readonly where: string;
  readonly language: "promql" | "logql";
  readonly expr: string;
}

interface Target {
  readonly expr?: string;
  readonly datasource?: { readonly type?: string };
}

export function dashboardQueries(model: Dashboard): DashboardQuery[] {
  const uid = model.uid ?? "?";
  const queries: DashboardQuery[] = [];
  for (const panel of model.panels ?? []) {
    const targets = ("targets" in panel ? panel.targets : undefined) as Target[] | undefined;
    for (const target of targets ?? []) {
      const type = target.datasource?.type ?? "";
      if (!target.expr) continue;
      if (type !== "prometheus" && type !== "loki")
        throw new Error(`${uid} / ${panel.title}: a query on data source type "${type}"`);
      queries.push({
        where: `${uid} / ${panel.title}`,
        language: type === "prometheus" ? "promql" : "logql",
        expr: target.expr,
      });
    }
  }
  for (const annotation of model.annotations?.list ?? []) {
    if (annotation.expr)
      queries.push({ where: `${uid} / annotation ${annotation.name}`, language: "promql", expr: annotation.expr });
  }
  for (const variable of model.templating?.list ?? []) {
    // `label_values(<series>, <label>)`: the series selector is PromQL.
    const series =
      typeof variable.definition === "string"
        ? /^label_values\((.*),\s*\w+\)$/.exec(variable.definition)?.[1]
        : undefined;
    if (series) queries.push({ where: `${uid} / variable ${variable.name}`, language: "promql", expr: series });
  }
  return queries;
}
