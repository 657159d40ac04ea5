import { requestedRange, singleRangeHeaders } from "../src/http/requested_range.ts";
import type { RangeResult } from "../src/http/range.ts";
import { assertEquals } from "./helpers/assert.ts";

/** A file of `0123456789`, last modified at 12:00:00. */
const CURRENT = { etag: '"abc"', lastModified: Date.UTC(2024, 0, 10, 12, 0, 0) };
const SIZE = 10;

Deno.test("requestedRange() honours Range on GET only, gated by If-Range", async (t) => {
  const last3: RangeResult = { type: "ranges", ranges: [{ start: 7, end: 9 }] };
  const rows: [string, string, Record<string, string>, RangeResult][] = [
    ["GET without Range", "GET", {}, { type: "ignore" }],
    ["GET bytes=-3", "GET", { range: "bytes=-3" }, last3],
    ["HEAD describes the 200", "HEAD", { range: "bytes=-3" }, { type: "ignore" }],
    ["a matching If-Range ETag", "GET", { range: "bytes=-3", "if-range": '"abc"' }, last3],
    ["a stale If-Range ETag", "GET", { range: "bytes=-3", "if-range": '"old"' }, {
      type: "ignore",
    }],
    ["a weak If-Range ETag", "GET", { range: "bytes=-3", "if-range": 'W/"abc"' }, {
      type: "ignore",
    }],
    ["the exact If-Range date", "GET", {
      range: "bytes=-3",
      "if-range": "Wed, 10 Jan 2024 12:00:00 GMT",
    }, last3],
    ["past the end", "GET", { range: "bytes=10-" }, { type: "unsatisfiable" }],
  ];
  for (const [label, method, headers, expected] of rows) {
    await t.step(label, () => {
      assertEquals(requestedRange(method, new Headers(headers), CURRENT, SIZE), expected);
    });
  }
});

Deno.test("singleRangeHeaders() names the range and its length", () => {
  assertEquals(singleRangeHeaders({ start: 7, end: 9 }, SIZE), [
    ["content-range", "bytes 7-9/10"],
    ["content-length", "3"],
  ]);
  assertEquals(singleRangeHeaders({ start: 0, end: 0 }, 1), [
    ["content-range", "bytes 0-0/1"],
    ["content-length", "1"],
  ]);
});
