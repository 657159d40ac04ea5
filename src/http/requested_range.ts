import { ifRangeAllows, type Validators } from "./preconditions.ts";
import { type ByteRange, parseRange, type RangeResult } from "./range.ts";

/**
 * What the `Range` of a request asks of a representation of `size` bytes,
 * once preconditions passed (RFC 9110 §13.2.2 step 5): `Range` is defined
 * for GET only (§14.2), so HEAD describes the full `200`; an `If-Range`
 * that does not match `current` also means the full representation.
 *
 * @example
 * ```ts
 * requestedRange("GET", new Headers({ range: "bytes=-3" }), { etag: '"x"', lastModified: null }, 10);
 * // { type: "ranges", ranges: [{ start: 7, end: 9 }] }
 * ```
 */
export function requestedRange(
  method: string,
  request: { get(name: string): string | null },
  current: Validators,
  size: number,
): RangeResult {
  const header = method === "GET" ? request.get("range") : null;
  return header !== null && ifRangeAllows(request.get("if-range"), current)
    ? parseRange(header, size)
    : { type: "ignore" };
}

/**
 * The `Content-Range` and `Content-Length` of a `206` carrying `range` of
 * a representation of `size` bytes.
 *
 * @example
 * ```ts
 * singleRangeHeaders({ start: 7, end: 9 }, 10);
 * // [["content-range", "bytes 7-9/10"], ["content-length", "3"]]
 * ```
 */
export function singleRangeHeaders(range: ByteRange, size: number): [string, string][] {
  return [
    ["content-range", `bytes ${range.start}-${range.end}/${size}`],
    ["content-length", String(range.end - range.start + 1)],
  ];
}
