/**
 * Every file of the stack, from the same generators the components use. The render CLI writes them; tests read
 * them. A part adds its renderer to `RENDERERS`, nowhere else.
 */
import type { Secrets, Settings } from "../settings";
import { renderRuleFiles } from "../alerts";
import { renderPostgresExporterFiles } from "../exporters/postgres";
import { renderAlertmanagerFiles } from "../alertmanager/files";
import { renderGrafanaFiles } from "../grafana/files";
import { renderLogFiles } from "../logs/files";
import { renderPrometheusFiles } from "../prometheus/files";
import { renderSecurityFiles } from "../security/files";
import { renderScaleFiles } from "./scaleFiles";
import { renderWebAuthFiles } from "../webauth/files";
import type { FileRenderer, RenderedFile } from "../render/types";

export type { FileRenderer, RenderedFile } from "../render/types";

export const RENDERERS: readonly FileRenderer[] = [
  renderPrometheusFiles,
  renderRuleFiles,
  renderAlertmanagerFiles,
  renderPostgresExporterFiles,
  renderGrafanaFiles,
  renderSecurityFiles,
  renderLogFiles,
  renderScaleFiles,
  renderWebAuthFiles,
];

/** All files, checked for two parts writing the same path. */
export function renderAll(settings: Settings, secrets: Secrets<string>): RenderedFile[] {
  const files = RENDERERS.flatMap((render) => render(settings, secrets));
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) throw new Error(`two generators write ${file.path}`);
    seen.add(file.path);
  }
  return files;
}
