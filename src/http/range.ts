/** An inclusive byte range: `start <= end < size`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The outcome of evaluating a `Range` header against a representation of a
 * given size, with exactly the distinctions RFC 9110 §14 makes.
 */
export type RangeResult =
  /** Absent, syntactically invalid, or an unknown unit: send the full 200. */
  | { type: "ignore" }
  /** Valid syntax but no range overlaps the content: 416. */
  | { type: "unsatisfiable" }
  /** One or more satisfiable ranges, sorted and coalesced. */
  | { type: "ranges"; ranges: ByteRange[] };

/** Limits that stop a Range header from amplifying the response. */
export interface RangeLimits {
  /** More ranges than this after coalescing → full response. */
  maxRanges: number;
}

const DEFAULT_LIMITS: RangeLimits = { maxRanges: 16 };
const SPEC = /^(?:(\d+)-(\d*)|-(\d+))$/;

/**
 * Parses a `Range` header for a representation of `size` bytes.
 *
 * - `bytes=a-b`, `bytes=a-`, `bytes=-n`; whitespace and empty list elements
 *   are tolerated; last-pos past the end is clamped.
 * - Any syntax error or unit other than `bytes` → `ignore`.
 * - Overlapping and adjacent ranges are coalesced. If the result holds more
 *   than `maxRanges` ranges, or the ranges asked for add up to more bytes
 *   than the file holds, the request is answered with the full file
 *   (`ignore`) rather than amplified.
 *
 * @example
 * ```ts
 * parseRange("bytes=-3", 10); // { type: "ranges", ranges: [{ start: 7, end: 9 }] }
 * ```
 */
export function parseRange(
  header: string | null,
  size: number,
  limits: RangeLimits = DEFAULT_LIMITS,
): RangeResult {
  if (header === null) return { type: "ignore" };
  const eq = header.indexOf("=");
  if (eq === -1 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return { type: "ignore" };
  const specs = header.slice(eq + 1).split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (specs.length === 0) return { type: "ignore" };
  // Bound the work a hostile header can cause before parsing every element.
  if (specs.length > 1000) return { type: "ignore" };

  const satisfiable: ByteRange[] = [];
  let suffixOnEmpty = false;
  for (const spec of specs) {
    const m = SPEC.exec(spec);
    if (!m) return { type: "ignore" };
    if (m[3] !== undefined) {
      const length = Number(m[3]);
      // A non-zero suffix is satisfiable even on an empty file (§14.1.1), but
      // no Content-Range can describe zero bytes: send the empty 200 instead.
      if (length > 0 && size === 0) suffixOnEmpty = true;
      if (length === 0 || size === 0) continue;
      satisfiable.push({ start: Math.max(0, size - length), end: size - 1 });
      continue;
    }
    const first = Number(m[1]);
    const last = m[2] === "" ? Infinity : Number(m[2]);
    if (last < first) return { type: "ignore" };
    if (first >= size) continue;
    satisfiable.push({ start: first, end: Math.min(last, size - 1) });
  }
  if (satisfiable.length === 0) return { type: suffixOnEmpty ? "ignore" : "unsatisfiable" };

  const ranges = coalesce(satisfiable);
  if (ranges.length > limits.maxRanges) return { type: "ignore" };
  // Overlaps that would make a multipart body repeat bytes: send the file once.
  const requested = satisfiable.reduce((sum, r) => sum + r.end - r.start + 1, 0);
  if (ranges.length > 1 && requested > size) return { type: "ignore" };
  return { type: "ranges", ranges };
}

/** Sorts ranges and merges those that overlap or touch. */
export function coalesce(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1) {
      last.end = Math.max(last.end, r.end);
    } else {
      out.push({ ...r });
    }
  }
  return out;
}
