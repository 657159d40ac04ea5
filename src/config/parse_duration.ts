import { UsageError } from "./usage_error.ts";

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a human duration into milliseconds: a whole number with a unit,
 * `ms`, `s`, `m`, `h` or `d` (`24h`, `30m`, `90s`, `7d`).
 *
 * @example
 * ```ts
 * parseDuration("24h"); // 86400000
 * ```
 * @throws {UsageError} when the text is not such a duration or is zero.
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/i.exec(text);
  const ms = match ? Number(match[1]) * UNITS[match[2].toLowerCase()] : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new UsageError(`${flag} must be a duration like 24h, 30m or 90s, got "${text}"`);
  }
  return ms;
}
