/** The shape of Prometheus rule files, as the generators build them before they become YAML. */
import type { Settings } from "../settings";

export interface AlertingRule {
  /** `<Component><Symptom>` in PascalCase; a runbook `alerts/runbooks/<alert>.md` must exist. */
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: "critical" | "warning" | "info" | "none"; readonly [label: string]: string };
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly [annotation: string]: string;
  };
}

export interface RecordingRule {
  /** `level:metric:operations`, e.g. `job:http_requests:rate5m`. */
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly (AlertingRule | RecordingRule)[];
}

/** A rule file: its name under `prometheus/rules/` (without `.yml`) and its groups. */
export interface RuleFile {
  readonly name: string;
  readonly groups: readonly RuleGroup[];
}

/** Builds one rule file from the settings. Each part of the stack that alerts contributes one. */
export type RuleFileBuilder = (settings: Settings) => RuleFile;
