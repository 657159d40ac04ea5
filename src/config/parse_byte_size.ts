import { UsageError } from "./usage_error.ts";

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/**
 * Parses a human byte size: `500MB` (decimal), `2GiB` (binary), `1024`.
 *
 * @example
 * ```ts
 * parseByteSize("2GiB"); // 2147483648
 * ```
 * @throws {UsageError} when the text is not a size.
 */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new UsageError(`invalid size "${text}" (try 500MB or 2GiB)`);
  }
  return Math.floor(Number(match[1]) * unit);
}
