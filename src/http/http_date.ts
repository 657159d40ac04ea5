/** Formats a date as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`). */
export function formatHttpDate(date: Date): string {
  return date.toUTCString();
}

const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Parses an HTTP-date in the preferred IMF-fixdate form into epoch seconds.
 * Returns `null` for anything else, which callers treat as "ignore the header"
 * (RFC 9110 §13.1.3, §13.1.4).
 */
export function parseHttpDate(value: string): number | null {
  const m = IMF_FIXDATE.exec(value.trim());
  if (!m) return null;
  const ms = Date.UTC(
    Number(m[4]),
    MONTHS.indexOf(m[3]),
    Number(m[2]),
    Number(m[5]),
    Number(m[6]),
    Number(m[7]),
  );
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(m[2]) || Number(m[5]) > 23) return null;
  return ms / 1000;
}
