import fc from "fast-check";
import { formatHttpDate, parseHttpDate } from "../src/http/http_date.ts";
import { assertEquals } from "./helpers/assert.ts";

/** Sun, 06 Nov 1994 08:49:37 GMT — the example of RFC 9110 §5.6.7. */
const EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000;

Deno.test("formatHttpDate() writes an IMF-fixdate", () => {
  assertEquals(formatHttpDate(new Date(EXAMPLE * 1000)), "Sun, 06 Nov 1994 08:49:37 GMT");
  assertEquals(formatHttpDate(new Date(0)), "Thu, 01 Jan 1970 00:00:00 GMT");
  assertEquals(formatHttpDate(new Date(EXAMPLE * 1000 + 999)), "Sun, 06 Nov 1994 08:49:37 GMT");
});

Deno.test("parseHttpDate() accepts all three formats of RFC 9110 §5.6.7", async (t) => {
  const rows: [string, number | null][] = [
    ["Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE],
    ["Sunday, 06-Nov-94 08:49:37 GMT", EXAMPLE],
    ["Sun Nov  6 08:49:37 1994", EXAMPLE],
    ["Sun Nov 16 08:49:37 1994", EXAMPLE + 10 * 86400],
    ["  Sun, 06 Nov 1994 08:49:37 GMT  ", EXAMPLE],
    ["Sat, 29 Feb 2020 23:59:59 GMT", Date.UTC(2020, 1, 29, 23, 59, 59) / 1000],
  ];
  for (const [text, expected] of rows) {
    await t.step(JSON.stringify(text), () => assertEquals(parseHttpDate(text, 2026), expected));
  }
});

Deno.test("parseHttpDate() reads a two-digit year more than 50 years ahead as the past (§5.6.7)", async (t) => {
  const rows: [string, number, number][] = [
    ["Sunday, 06-Nov-94 08:49:37 GMT", 2026, 1994],
    ["Thursday, 01-Jan-70 00:00:00 GMT", 2026, 2070],
    ["Thursday, 01-Jan-70 00:00:00 GMT", 2019, 1970],
    ["Saturday, 01-Jan-00 00:00:00 GMT", 2026, 2000],
  ];
  for (const [text, now, year] of rows) {
    await t.step(`${text} in ${now} is in ${year}`, () => {
      const seconds = parseHttpDate(text, now);
      assertEquals(new Date(seconds! * 1000).getUTCFullYear(), year);
    });
  }
});

Deno.test("parseHttpDate() returns null for anything that is not an HTTP-date", async (t) => {
  const rows = [
    "",
    "yesterday",
    "1994-11-06T08:49:37Z",
    "Sun, 6 Nov 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 08:49:37 UTC",
    "Sun, 06 Nov 1994 08:49:37 gmt",
    "Sun, 06 nov 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 8:49:37 GMT",
    "Sun, 31 Feb 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 24:00:00 GMT",
    "Sun, 06 Nov 1994 08:60:00 GMT",
    "Sun, 00 Nov 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT",
    "Sunday, 06-Nov-1994 08:49:37 GMT",
    "Sun Nov 6 08:49:37 1994",
    "784111777",
  ];
  for (const text of rows) {
    await t.step(JSON.stringify(text), () => assertEquals(parseHttpDate(text, 2026), null));
  }
});

Deno.test("parseHttpDate() property: parses what formatHttpDate() writes, to the second", () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 253402300799 }), (seconds) => {
    assertEquals(parseHttpDate(formatHttpDate(new Date(seconds * 1000))), seconds);
  }));
});
