// Human-friendly numbers for the listing and the upload panel.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/**
 * A size in binary units, exactly like the server's humanSize().
 * @param {number} bytes
 * @returns {string}
 */
export function humanSize(bytes) {
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

const STEPS = [
  { unit: "year", ms: 365 * 24 * 3600e3 },
  { unit: "month", ms: 30 * 24 * 3600e3 },
  { unit: "week", ms: 7 * 24 * 3600e3 },
  { unit: "day", ms: 24 * 3600e3 },
  { unit: "hour", ms: 3600e3 },
  { unit: "minute", ms: 60e3 },
];

/**
 * "3 minutes ago", "yesterday", "just now".
 * @param {number} then epoch milliseconds
 * @param {number} now epoch milliseconds
 * @returns {string}
 */
export function relativeTime(then, now) {
  const diff = then - now;
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  for (const { unit, ms } of STEPS) {
    if (Math.abs(diff) >= ms) {
      return rtf.format(Math.round(diff / ms), /** @type {Intl.RelativeTimeFormatUnit} */ (unit));
    }
  }
  return "just now";
}

/**
 * "1:05" or "1:02:03" for a number of seconds.
 * @param {number} seconds
 * @returns {string}
 */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
