const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/**
 * A human-readable size in binary units.
 *
 * @example
 * ```ts
 * humanSize(1536); // "1.5 KiB"
 * ```
 */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0
    ? `${bytes} B`
    : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}
