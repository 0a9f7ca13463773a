/**
 * Every Prometheus rule file of the stack. A part of the stack that alerts adds its `RuleFileBuilder` to
 * `RULE_FILES`; the renderer writes each as `prometheus/rules/<name>.yml`.
 */
import type { FileRenderer } from "../render/types";
import { toYaml } from "../render/yaml";
import type { Settings } from "../settings";
import { logRules } from "./rules/logs";
import type { RuleFile, RuleFileBuilder } from "./types";

export const RULE_FILES: readonly RuleFileBuilder[] = [logRules];

export function ruleFiles(settings: Settings): RuleFile[] {
  return RULE_FILES.map((build) => build(settings));
}

export const renderRuleFiles: FileRenderer = (settings) =>
  ruleFiles(settings).map((file) => ({ path: `prometheus/rules/${file.name}.yml`, content: toYaml({ groups: file.groups }) }));
