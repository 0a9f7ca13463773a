/**
 * Just enough of the Prometheus text exposition format for the stand-in API: counters, gauges, histograms and
 * summaries with labels, the shapes the backend metrics contract names. No client library: the project adds no
 * runtime dependency for a test double, and the format is a few lines.
 */
import type { MetricContract } from "../contract/backendMetrics";

type Labels = Readonly<Record<string, string>>;

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
  );
  return pairs.length > 0 ? `{${pairs.join(",")}}` : "";
}

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());

/** One metric family: values per label set, written in the contract's type. */
export class MetricFamily {
  private readonly values = new Map<string, { labels: Labels; value: number; buckets?: number[]; count?: number }>();

  constructor(
    readonly contract: MetricContract,
    /** Histogram bucket bounds (upper, inclusive), without +Inf. */
    readonly bounds: readonly number[] = [],
  ) {}

  private entry(labels: Labels) {
    const k = key(labels);
    let entry = this.values.get(k);
    if (!entry) {
      this.checkLabels(labels);
      entry = {
        labels,
        value: 0,
        buckets: this.contract.type === "histogram" ? this.bounds.map(() => 0) : undefined,
        count: 0,
      };
      this.values.set(k, entry);
    }
    return entry;
  }

  private checkLabels(labels: Labels): void {
    const names = Object.keys(labels).sort().join(",");
    const expected = [...this.contract.labels].sort().join(",");
    if (names !== expected)
      throw new Error(`${this.contract.name}: labels {${names}} are not the contract's {${expected}}`);
  }

  inc(labels: Labels, by = 1): void {
    this.entry(labels).value += by;
  }

  set(labels: Labels, value: number): void {
    this.entry(labels).value = value;
  }

  /** Histogram or summary: one observation. */
  observe(labels: Labels, value: number, times = 1): void {
    const entry = this.entry(labels);
    entry.value += value * times;
    entry.count = (entry.count ?? 0) + times;
    entry.buckets?.forEach((_, i) => {
      if (value <= this.bounds[i]) entry.buckets![i] += times;
    });
  }

  text(): string {
    const { name, type, help } = this.contract;
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
    for (const { labels, value, buckets, count } of this.values.values()) {
      if (type === "histogram") {
        buckets!.forEach((n, i) =>
          lines.push(`${name}_bucket${labelText({ ...labels, le: String(this.bounds[i]) })} ${n}`),
        );
        lines.push(
          `${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${count}`,
          `${name}_sum${labelText(labels)} ${value}`,
          `${name}_count${labelText(labels)} ${count}`,
        );
      } else if (type === "summary") {
        lines.push(`${name}_sum${labelText(labels)} ${value}`, `${name}_count${labelText(labels)} ${count}`);
      } else {
        lines.push(`${name}${labelText(labels)} ${value}`);
      }
    }
    return lines.join("\n");
  }
}
