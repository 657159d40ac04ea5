/** Formats a date as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`). */
export function formatHttpDate(date: Date): string {
  return date.toUTCString();
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = `(${MONTHS.join("|")})`;
const TIME = String.raw`(\d{2}):(\d{2}):(\d{2})`;
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(
  String.raw`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ${MONTH} (\d{4}) ${TIME} GMT$`,
);
/** `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete) */
const RFC850_DATE = new RegExp(
  String
    .raw`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-${MONTH}-(\d{2}) ${TIME} GMT$`,
);
/** `Sun Nov  6 08:49:37 1994` (obsolete; day padded with a space) */
const ASCTIME_DATE = new RegExp(
  String.raw`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \d|\d{2}) ${TIME} (\d{4})$`,
);

/**
 * Parses an HTTP-date into epoch seconds. All three formats of RFC 9110
 * §5.6.7 are accepted, as a recipient must: IMF-fixdate, rfc850-date and
 * asctime-date. A two-digit rfc850 year that would lie more than 50 years
 * after `nowYear` means the most recent past year with those digits.
 * Returns `null` for anything else, including impossible dates, which
 * callers treat as "ignore the header" (§13.1.3, §13.1.4).
 *
 * @example
 * ```ts
 * parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"); // 784111777
 * parseHttpDate("Sun Nov  6 08:49:37 1994"); // 784111777
 * ```
 */
export function parseHttpDate(
  value: string,
  nowYear: number = new Date().getUTCFullYear(),
): number | null {
  const text = value.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m) return toSeconds(Number(m[3]), m[2], Number(m[1]), m[4], m[5], m[6]);
  m = RFC850_DATE.exec(text);
  if (m) {
    let year = Math.floor(nowYear / 100) * 100 + Number(m[3]);
    if (year > nowYear + 50) year -= 100;
    return toSeconds(year, m[2], Number(m[1]), m[4], m[5], m[6]);
  }
  m = ASCTIME_DATE.exec(text);
  if (m) return toSeconds(Number(m[6]), m[1], Number(m[2].trim()), m[3], m[4], m[5]);
  return null;
}

function toSeconds(
  year: number,
  month: string,
  day: number,
  hours: string,
  minutes: string,
  seconds: string,
): number | null {
  const [h, min, s] = [Number(hours), Number(minutes), Number(seconds)];
  // 60 allows a leap second (RFC 5322 §3.3); Date.UTC rolls it into the next minute.
  if (h > 23 || min > 59 || s > 60 || day < 1) return null;
  const monthIndex = MONTHS.indexOf(month);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== monthIndex) return null;
  date.setUTCHours(h, min, s, 0);
  return date.getTime() / 1000;
}
