/** One metric family in the Prometheus text exposition format. */
export interface MetricFamily {
  name: string;
  help: string;
  type: "counter" | "gauge";
  /** Samples: label values by label name, and the value. */
  samples: { labels?: Record<string, string>; value: number }[];
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/**
 * Renders metric families as Prometheus text format 0.0.4.
 *
 * @example
 * ```ts
 * formatPrometheus([{ name: "up", help: "Up", type: "gauge", samples: [{ value: 1 }] }]);
 * // "# HELP up Up\n# TYPE up gauge\nup 1\n"
 * ```
 */
export function formatPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {});
      const text = labels.length === 0
        ? ""
        : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
      lines.push(`${family.name}${text} ${sample.value}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** The media type of the Prometheus text format. */
export const PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
