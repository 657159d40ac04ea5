/** What a request through a read share fetches. */
export type ShareTarget = "file" | "archive" | "other";

/**
 * Whether a request counts as a download against a share's
 * `maxDownloads`: a `GET` of a file or a folder archive from its first
 * byte. Revalidations (`If-None-Match`, `If-Modified-Since`), ranges
 * starting later (a video being watched, a download resumed), `HEAD`,
 * listings and searches do not count.
 *
 * @example
 * ```ts
 * countsAsDownload("GET", new Headers({ range: "bytes=0-" }), "file"); // true
 * countsAsDownload("GET", new Headers({ range: "bytes=500-" }), "file"); // false
 * ```
 */
export function countsAsDownload(method: string, headers: Headers, target: ShareTarget): boolean {
  if (method !== "GET" || target === "other") return false;
  if (headers.has("if-none-match") || headers.has("if-modified-since")) return false;
  const range = headers.get("range");
  return range === null || /^\s*bytes\s*=\s*0+\s*-/i.test(range);
}
