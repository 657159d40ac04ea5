import { evaluatePreconditions } from "./preconditions.ts";
import type { ByteRange } from "./range.ts";
import { requestedRange, singleRangeHeaders } from "./requested_range.ts";

/** Status, headers and the bytes to send for a GET or HEAD of a folder archive. */
export interface ArchivePlan {
  status: 200 | 206 | 304 | 412 | 416;
  headers: [string, string][];
  /** The bytes of the archive to send; `null` for no body. */
  body: ByteRange | null;
}

/**
 * Decides the answer to a GET or HEAD of a folder archive of exactly
 * `length` bytes with strong ETag `etag`, before anything is read:
 * preconditions in RFC 9110 §13.2.2 order, then a single `Range` gated by
 * `If-Range`. An archive has no `Last-Modified` (no date of a folder tree
 * says that nothing in it changed), so only entity-tags validate: date
 * conditions are ignored and an `If-Range` date means the full archive.
 * Several ranges also get the full archive (`200`): a download resumes
 * with one. Archives are not cached (`Cache-Control: no-store`).
 *
 * @example
 * ```ts
 * planArchiveResponse("GET", new Headers({ range: "bytes=100-" }), etag, 1000);
 * // { status: 206, body: { start: 100, end: 999 }, headers: [… content-range …] }
 * ```
 */
export function planArchiveResponse(
  method: string,
  request: { get(name: string): string | null },
  etag: string,
  length: number,
): ArchivePlan {
  const validators = { etag, lastModified: null };
  const outcome = evaluatePreconditions(method, request, validators);
  if (outcome === "not-modified") {
    return { status: 304, headers: [["etag", etag], ["cache-control", "no-store"]], body: null };
  }
  if (outcome === "precondition-failed") return { status: 412, headers: [], body: null };

  const common: [string, string][] = [
    ["etag", etag],
    ["cache-control", "no-store"],
    ["accept-ranges", "bytes"],
  ];
  const range = requestedRange(method, request, validators, length);
  if (range.type === "unsatisfiable") {
    return {
      status: 416,
      headers: [...common, ["content-range", `bytes */${length}`]],
      body: null,
    };
  }
  if (range.type === "ranges" && range.ranges.length === 1) {
    const r = range.ranges[0];
    return {
      status: 206,
      headers: [...common, ...singleRangeHeaders(r, length)],
      body: r,
    };
  }
  return {
    status: 200,
    headers: [...common, ["content-length", String(length)]],
    body: method === "HEAD" ? null : { start: 0, end: length - 1 },
  };
}
