import {
  type FilePlan,
  isConditional,
  planFileResponse,
  type Representation,
} from "../src/http/plan_file_response.ts";
import { assertEquals } from "./helpers/assert.ts";

const REP: Representation = {
  etag: '"e1"',
  lastModified: Date.UTC(2024, 0, 10, 12, 0, 0),
  size: 10,
  contentType: "text/plain; charset=utf-8",
};
const LAST_MODIFIED = "Wed, 10 Jan 2024 12:00:00 GMT";

const plan = (method: string, headers: Record<string, string> = {}, rep = REP): FilePlan =>
  planFileResponse(method, new Headers(headers), rep);
const header = (p: FilePlan, name: string) => p.headers.find(([k]) => k === name)?.[1] ?? null;

Deno.test("planFileResponse() decides status, body and headers before any byte is read", async (t) => {
  const rows: [string, string, Record<string, string>, FilePlan["status"], FilePlan["body"]][] = [
    ["plain GET", "GET", {}, 200, { type: "full" }],
    ["plain HEAD", "HEAD", {}, 200, { type: "none" }],
    ["one range", "GET", { range: "bytes=2-4" }, 206, {
      type: "range",
      range: { start: 2, end: 4 },
    }],
    ["two ranges", "GET", { range: "bytes=0-0,-1" }, 206, {
      type: "multipart",
      ranges: [{ start: 0, end: 0 }, { start: 9, end: 9 }],
    }],
    ["HEAD ignores Range (RFC 9110 §14.2)", "HEAD", { range: "bytes=2-4" }, 200, { type: "none" }],
    ["HEAD ignores an unsatisfiable Range", "HEAD", { range: "bytes=99-" }, 200, { type: "none" }],
    ["unsatisfiable", "GET", { range: "bytes=10-" }, 416, { type: "none" }],
    ["invalid Range", "GET", { range: "bytes=4-2" }, 200, { type: "full" }],
    ["If-None-Match", "GET", { "if-none-match": '"e1"' }, 304, { type: "none" }],
    ["If-None-Match beats Range", "GET", { "if-none-match": '"e1"', range: "bytes=0-0" }, 304, {
      type: "none",
    }],
    ["If-Match fails", "GET", { "if-match": '"e2"', range: "bytes=0-0" }, 412, { type: "none" }],
    ["If-Range matches", "GET", { "if-range": '"e1"', range: "bytes=0-0" }, 206, {
      type: "range",
      range: { start: 0, end: 0 },
    }],
    ["If-Range date matches", "GET", { "if-range": LAST_MODIFIED, range: "bytes=0-0" }, 206, {
      type: "range",
      range: { start: 0, end: 0 },
    }],
    ["If-Range stale", "GET", { "if-range": '"e0"', range: "bytes=0-0" }, 200, { type: "full" }],
  ];
  for (const [label, method, headers, status, body] of rows) {
    await t.step(`${label} → ${status}`, () => {
      const p = plan(method, headers);
      assertEquals([p.status, p.body], [status, body]);
    });
  }
});

Deno.test("planFileResponse() sets the representation headers", () => {
  const p = plan("GET");
  assertEquals(Object.fromEntries(p.headers), {
    "etag": '"e1"',
    "last-modified": LAST_MODIFIED,
    "cache-control": "no-cache",
    "accept-ranges": "bytes",
    "x-content-type-options": "nosniff",
    "content-type": "text/plain; charset=utf-8",
    "content-length": "10",
  });
});

Deno.test("planFileResponse() gives a 206 its Content-Range and length, a 416 bytes */size", () => {
  const partial = plan("GET", { range: "bytes=-3" });
  assertEquals(header(partial, "content-range"), "bytes 7-9/10");
  assertEquals(header(partial, "content-length"), "3");
  const unsatisfiable = plan("GET", { range: "bytes=10-" });
  assertEquals(header(unsatisfiable, "content-range"), "bytes */10");
  // Multipart framing (and so its length and type) is left to the caller.
  const multipart = plan("GET", { range: "bytes=0-0,5-5" });
  assertEquals([header(multipart, "content-length"), header(multipart, "content-type")], [
    null,
    null,
  ]);
});

Deno.test("planFileResponse() gives a 304 only ETag, Last-Modified and Cache-Control", () => {
  const p = plan("GET", { "if-modified-since": LAST_MODIFIED });
  assertEquals(p.status, 304);
  assertEquals(p.headers.map(([k]) => k).sort(), ["cache-control", "etag", "last-modified"]);
});

Deno.test("planFileResponse() sends an empty file without a body to read", () => {
  const p = plan("GET", {}, { ...REP, size: 0 });
  assertEquals([p.status, p.body, header(p, "content-length")], [200, { type: "none" }, "0"]);
  assertEquals(plan("GET", { range: "bytes=0-" }, { ...REP, size: 0 }).status, 416);
});

Deno.test("isConditional() spots every header that can change a plain 200", () => {
  const table: [Record<string, string>, boolean][] = [
    [{}, false],
    [{ accept: "*/*", "if-range": '"e1"' }, false],
    [{ range: "bytes=0-1" }, true],
    [{ "if-match": "*" }, true],
    [{ "if-none-match": '"e1"' }, true],
    [{ "if-modified-since": "Sun, 06 Nov 1994 08:49:37 GMT" }, true],
    [{ "if-unmodified-since": "Sun, 06 Nov 1994 08:49:37 GMT" }, true],
  ];
  for (const [headers, expected] of table) {
    assertEquals(isConditional(new Headers(headers)), expected, JSON.stringify(headers));
  }
});
