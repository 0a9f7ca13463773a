/** Renders the stack's rule and Alertmanager files into a directory, as the render CLI lays them out. */
import * as fs from "fs";
import * as path from "path";
import { renderAll } from "../../stack/files";
import { placeholderSecrets, type Settings } from "../../settings";

/** Writes every rendered file under `dir`; returns `dir`. */
export function renderInto(dir: string, settings: Settings): string {
  for (const file of renderAll(settings, placeholderSecrets())) {
    const target = path.join(dir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
  }
  return dir;
}

/** The settings with another source of request metrics. */
export function withRequestSource(settings: Settings, source: Settings["alerts"]["requestMetricsSource"]): Settings {
  return { ...settings, alerts: { ...settings.alerts, requestMetricsSource: source } };
}
