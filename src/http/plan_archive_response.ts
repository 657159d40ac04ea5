import { evaluatePreconditions } from "./preconditions.ts";
import type { ByteRange, RangeResult } from "./range.ts";
import { requestedRange, singleRangeHeaders } from "./requested_range.ts";

/** Status, headers and the bytes to send for a GET or HEAD of a folder archive. */
export interface ArchivePlan {
  status: 200 | 206 | 304 | 412 | 416;
  headers: [string, string][];
  /** The bytes of the archive to send; `null` for no body. */
  body: ByteRange | null;
}

/**
 * The version of an archive that a URL's `v` parameter names: its ETag
 * without the quotes.
 *
 * @example
 * ```ts
 * archiveVersion('"zip-3-AbC"'); // "zip-3-AbC"
 * ```
 */
export function archiveVersion(etag: string): string {
  return etag.slice(1, -1);
}

/**
 * Decides the answer to a GET or HEAD of a folder archive of exactly
 * `length` bytes with strong ETag `etag`, before anything is read:
 * preconditions in RFC 9110 §13.2.2 order, then a single `Range` gated by
 * `If-Range`. An archive has no `Last-Modified` (no date of a folder tree
 * says that nothing in it changed), so only entity-tags validate: date
 * conditions are ignored and an `If-Range` date means the full archive.
 *
 * Unlike a file's, an archive's bytes at an offset change with any file
 * in the folder, so a `Range` is answered only when something ties it to
 * this archive: an `If-Range` or `If-Match` with the ETag, or `version`
 * (the URL's `v`, see {@linkcode archiveVersion}) naming it. A bare
 * `Range` (plain `curl -C -`) or a `v` of an older archive gets the whole
 * archive (`200`), which resuming clients refuse to append. Several
 * ranges also get the full archive: a download resumes with one.
 * Archives are not cached (`Cache-Control: no-store`).
 *
 * @example
 * ```ts
 * planArchiveResponse("GET", new Headers({ range: "bytes=100-" }), '"zip-1-a"', 1000, "zip-1-a");
 * // { status: 206, body: { start: 100, end: 999 }, headers: [… content-range …] }
 * planArchiveResponse("GET", new Headers({ range: "bytes=100-" }), '"zip-1-a"', 1000, null);
 * // { status: 200, body: { start: 0, end: 999 }, headers: [… content-length …] }
 * ```
 */
export function planArchiveResponse(
  method: string,
  request: { get(name: string): string | null },
  etag: string,
  length: number,
  version: string | null,
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
  // If-Match passed by now, so unless it is `*` it named this ETag.
  const ifMatch = request.get("if-match");
  const bound = version === archiveVersion(etag) || request.get("if-range") !== null ||
    (ifMatch !== null && ifMatch.trim() !== "*");
  const range: RangeResult = bound
    ? requestedRange(method, request, validators, length)
    : { type: "ignore" };
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
