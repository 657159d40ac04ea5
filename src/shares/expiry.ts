/** What a new share's expiry is when none is given: seven days. */
export const DEFAULT_EXPIRY = "7d";

/** The longest duration accepted: ten years. */
const MAX_MS = 10 * 365 * 24 * 3600_000;

const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3600_000,
  d: 24 * 3600_000,
  w: 7 * 24 * 3600_000,
};

const DURATION = /^(\d{1,9})\s*(s|m|min|h|d|w)$/;

/** An ISO 8601 date (midnight UTC) or date-time with seconds optional and a zone required. */
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * When a share expires, from what the client asked: a duration (`30m`, `2h`,
 * `7d`, `2w`), an ISO time with a zone (`2026-12-24T18:00:00Z`, or a date,
 * meaning midnight UTC), or `never`. Absent or empty means `DEFAULT_EXPIRY`.
 *
 * @returns epoch milliseconds, or `null` for never.
 * @throws {RangeError} with a reason for anything else, a zero duration,
 * one past ten years, or a time not in the future.
 *
 * @example
 * ```ts
 * parseExpiry("2h", 0); // 7_200_000
 * parseExpiry("never", 0); // null
 * ```
 */
export function parseExpiry(input: string | undefined, now: number): number | null {
  const text = (input ?? "").trim() || DEFAULT_EXPIRY;
  if (text === "never") return null;
  const duration = DURATION.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * UNITS[duration[2]];
    if (ms === 0) throw new RangeError("Expiry must be longer than zero");
    if (ms > MAX_MS) throw new RangeError("Expiry must be at most ten years away");
    return now + ms;
  }
  if (ISO_TIME.test(text)) {
    const at = Date.parse(text);
    if (Number.isNaN(at)) throw new RangeError("Invalid expiry time");
    if (at <= now) throw new RangeError("Expiry time is in the past");
    if (at - now > MAX_MS) throw new RangeError("Expiry must be at most ten years away");
    return at;
  }
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text)) {
    throw new RangeError("Expiry time needs a time zone (Z or +01:00)");
  }
  throw new RangeError('Invalid expiry (use "2h", "7d", an ISO time or "never")');
}
