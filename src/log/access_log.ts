/** One request as the access log sees it. */
export interface AccessRecord {
  method: string;
  path: string;
  status: number;
  /** Body bytes sent; `null` when unknown (logged as `-`). */
  bytes: number | null;
  ms: number;
  remote: string;
}

/**
 * Formats one access-log line: readable text
 * (`127.0.0.1 GET /a.mp4 206 65536B 1.2ms`) or one JSON object.
 */
export function formatAccessLog(format: "text" | "json", r: AccessRecord): string {
  const ms = Math.round(r.ms * 10) / 10;
  if (format === "json") {
    return JSON.stringify({ time: new Date().toISOString(), ...r, ms });
  }
  return `${r.remote} ${r.method} ${r.path} ${r.status} ${
    r.bytes === null ? "-" : `${r.bytes}B`
  } ${ms}ms`;
}
