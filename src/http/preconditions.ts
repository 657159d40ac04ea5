import { parseEtagList, strongMatch, weakMatch } from "./etag.ts";
import { parseHttpDate } from "./http_date.ts";

/** The validators of the selected representation. */
export interface Validators {
  etag: string;
  /**
   * Last modification in epoch milliseconds; `null` when there is none (a
   * folder archive): date conditions are then ignored (RFC 9110 §13.1.3-4)
   * and an `If-Range` date never matches.
   */
  lastModified: number | null;
}

/** What the precondition evaluation decided. */
export type PreconditionResult = "proceed" | "not-modified" | "precondition-failed";

/** The request headers preconditions look at. */
export interface ConditionalHeaders {
  get(name: string): string | null;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Evaluates conditional request headers in the order of RFC 9110 §13.2.2:
 * If-Match → If-Unmodified-Since → If-None-Match → If-Modified-Since.
 * `current` is `null` when the target does not exist (relevant for writes
 * with `If-None-Match: *` and `If-Match`).
 */
export function evaluatePreconditions(
  method: string,
  headers: ConditionalHeaders,
  current: Validators | null,
): PreconditionResult {
  const safe = method === "GET" || method === "HEAD";

  // Step 1: If-Match, strong comparison.
  const ifMatch = headers.get("if-match");
  if (ifMatch !== null) {
    if (!matchesAny(ifMatch, current, strongMatch)) return "precondition-failed";
  } else {
    // Step 2: If-Unmodified-Since, only without If-Match.
    const ius = headers.get("if-unmodified-since");
    const date = ius === null ? null : parseHttpDate(ius);
    const modified = current?.lastModified ?? null;
    if (date !== null && modified !== null && seconds(modified) > date) {
      return "precondition-failed";
    }
  }

  // Step 3: If-None-Match, weak comparison.
  const ifNoneMatch = headers.get("if-none-match");
  if (ifNoneMatch !== null) {
    if (matchesAny(ifNoneMatch, current, weakMatch)) {
      return safe ? "not-modified" : "precondition-failed";
    }
  } else if (safe && current !== null && current.lastModified !== null) {
    // Step 4: If-Modified-Since, only GET/HEAD and only without If-None-Match.
    const ims = headers.get("if-modified-since");
    const date = ims === null ? null : parseHttpDate(ims);
    if (date !== null && seconds(current.lastModified) <= date) return "not-modified";
  }
  return "proceed";
}

function matchesAny(
  value: string,
  current: Validators | null,
  compare: typeof strongMatch,
): boolean {
  if (current === null) return false;
  const list = parseEtagList(value);
  if (list === "*") return true;
  return list.some((tag) => compare(tag, current.etag));
}

/**
 * Step 5: whether a `Range` header may be honoured given `If-Range`
 * (RFC 9110 §13.1.5). An entity-tag must match strongly; a date must equal
 * Last-Modified exactly. Anything else means "send the full representation".
 */
export function ifRangeAllows(ifRange: string | null, current: Validators): boolean {
  if (ifRange === null) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith("W/")) {
    const list = parseEtagList(value);
    return list !== "*" && list.length === 1 && strongMatch(list[0], current.etag);
  }
  const date = parseHttpDate(value);
  return date !== null && current.lastModified !== null &&
    date === seconds(current.lastModified);
}
