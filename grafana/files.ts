/** Grafana's rendered files: every dashboard's JSON and the data sources, for review and for diffs in PRs. */
import { buildDashboards } from "../dashboards";
import type { FileRenderer } from "../render/types";
import { dataSourcesDocument } from "./datasources";

export const renderGrafanaFiles: FileRenderer = (settings) => [
  { path: "grafana/datasources.json", content: `${JSON.stringify(dataSourcesDocument(settings), null, 2)}\n` },
  ...buildDashboards(settings).map((built) => ({ path: `grafana/dashboards/${built.uid}.json`, content: built.json })),
];
