/**
 * The benchmark's results as one markdown table with ratios to nginx.
 *
 * @module
 */

/** The servers compared, in column order. */
export const SERVERS = ["sluice", "nginx-off", "nginx-on"] as const;
/** One of the compared servers. */
export type ServerKind = typeof SERVERS[number];

/** Column titles of the servers. */
export const SERVER_LABELS: Record<ServerKind, string> = {
  sluice: "Sluice",
  "nginx-off": "nginx sendfile off",
  "nginx-on": "nginx sendfile on",
};

/** How a metric's numbers read. */
export type Unit = "req/s" | "ms" | "µs" | "MB/s" | "MiB" | "count";

/** A target from the issue, checked against one nginx variant. */
export interface Target {
  /** Sluice ÷ nginx must be at least this (higher is better) … */
  minRatio?: number;
  /** … or Sluice's own figure must be at most this (in the row's unit). */
  maxValue?: number;
  /** The nginx variant a ratio target is checked against. */
  against?: ServerKind;
  /** How the target reads, e.g. "≥ 0.8× nginx". */
  text: string;
}

/** One line of the table. */
export interface ResultRow {
  scenario: string;
  metric: string;
  unit: Unit;
  values: Partial<Record<ServerKind, number>>;
  target?: Target;
  /** Shown after the metric, e.g. "10,000 of 10,000 reached". */
  note?: string;
  /** Set when the scenario did not run; the reason replaces the figures. */
  skipped?: string;
}

/** Formats a figure in its unit. */
export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined || Number.isNaN(value)) return "—";
  switch (unit) {
    case "req/s":
      return value >= 10_000 ? `${(value / 1000).toFixed(1)} k` : `${Math.round(value)}`;
    case "ms":
      return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(2)} ms`;
    case "µs":
      return `${Math.round(value)} µs`;
    case "MB/s":
      return `${Math.round(value).toLocaleString("en-US")} MB/s`;
    case "MiB":
      return `${value.toFixed(1)} MiB`;
    case "count":
      return Math.round(value).toLocaleString("en-US");
  }
}

/** Sluice ÷ `against`, formatted like `0.82×`, or `—`. */
export function ratio(row: ResultRow, against: ServerKind): string {
  const sluice = row.values.sluice;
  const other = row.values[against];
  if (sluice === undefined || other === undefined || other === 0) return "—";
  return `${(sluice / other).toFixed(2)}×`;
}

/** Whether the row meets its target: `met`, `not met`, or `—` when it cannot tell. */
export function targetVerdict(row: ResultRow): string {
  const target = row.target;
  const sluice = row.values.sluice;
  if (!target || sluice === undefined) return "—";
  if (target.maxValue !== undefined) {
    return `${target.text}: ${sluice <= target.maxValue ? "met" : "not met"}`;
  }
  const other = target.against ? row.values[target.against] : undefined;
  if (target.minRatio === undefined || other === undefined || other === 0) return "—";
  return `${target.text}: ${sluice / other >= target.minRatio ? "met" : "not met"}`;
}

/** The markdown table, one row per metric. */
export function formatTable(rows: ResultRow[]): string {
  const header = [
    "Scenario",
    "Metric",
    ...SERVERS.map((s) => SERVER_LABELS[s]),
    "Sluice ÷ nginx off",
    "Sluice ÷ nginx on",
    "Target",
  ];
  const lines = [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => i >= 2 && i < 7 ? "---:" : "---").join("|")}|`,
  ];
  for (const row of rows) {
    const metric = row.note ? `${row.metric} (${row.note})` : row.metric;
    const cells = row.skipped !== undefined
      ? [row.scenario, metric, `skipped: ${row.skipped}`, "", "", "", "", ""]
      : [
        row.scenario,
        metric,
        ...SERVERS.map((s) => formatValue(row.values[s], row.unit)),
        ratio(row, "nginx-off"),
        ratio(row, "nginx-on"),
        targetVerdict(row),
      ];
    lines.push(`| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`);
  }
  return lines.join("\n");
}
