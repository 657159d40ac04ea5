import fc from "fast-check";
import posix from "node:path/posix";
import { HttpError } from "../src/http/http_error.ts";
import { decodePath, encodePath, isHidden } from "../src/path/decode_path.ts";
import { contained } from "../src/path/contained.ts";
import { assertEquals, assertOk, assertThrows } from "./helpers/assert.ts";

/**
 * What a request target looks like after the WHATWG URL parser, the way
 * Deno.serve builds `request.url` (origin + raw target).
 */
const pathnameOf = (target: string) => new URL("http://sluice.test" + target).pathname;

Deno.test("decodePath() decodes each segment exactly once", async (t) => {
  const rows: [string, string[], boolean][] = [
    ["/", [], true],
    ["/a.txt", ["a.txt"], false],
    ["/dir/", ["dir"], true],
    ["/a%20b/c%2Bd.txt", ["a b", "c+d.txt"], false],
    ["/%E2%9C%93.txt", ["✓.txt"], false],
    ["//a///b", ["a", "b"], false],
    // Double encoding stays encoded once: a file literally named "%2e%2e".
    ["/%252e%252e/x", ["%2e%2e", "x"], false],
    ["/%252f", ["%2f"], false],
    ["/.hidden", [".hidden"], false],
  ];
  for (const [pathname, segments, trailingSlash] of rows) {
    await t.step(pathname, () => assertEquals(decodePath(pathname), { segments, trailingSlash }));
  }
});

Deno.test("decodePath() rejects NUL, bad percent-encoding, encoded separators and dot segments with 400", async (t) => {
  const rows = [
    "/a%00b",
    "/%00",
    "/%zz",
    "/a%2",
    "/%",
    "/%C0%AE%C0%AE",
    "/%FF",
    "/a%2fb",
    "/a%2Fb",
    "/a%5cb",
    "/a%5Cb",
    "/%2e%2e",
    "/%2E",
    "/..",
  ];
  for (const pathname of rows) {
    await t.step(pathname, () => {
      assertThrows(
        () => decodePath(pathname),
        (error: unknown) => error instanceof HttpError && error.status === 400,
      );
    });
  }
});

Deno.test("decodePath() after the URL parser: dot segments and backslashes cannot climb out", async (t) => {
  const rows: [string, string[]][] = [
    ["/../../etc/passwd", ["etc", "passwd"]],
    ["/a/../../b", ["b"]],
    ["/%2e%2e/%2e%2e/etc/passwd", ["etc", "passwd"]],
    ["/.%2e/x", ["x"]],
    ["/..\\..\\etc\\passwd", ["etc", "passwd"]],
    ["/a/./b/.", ["a", "b"]],
  ];
  for (const [target, segments] of rows) {
    await t.step(target, () => assertEquals(decodePath(pathnameOf(target)).segments, segments));
  }
});

Deno.test("isHidden() flags any segment starting with a dot", () => {
  assertEquals(isHidden([]), false);
  assertEquals(isHidden(["a", "b.txt"]), false);
  assertEquals(isHidden([".git", "config"]), true);
  assertEquals(isHidden(["a", ".env"]), true);
  assertEquals(isHidden(["a.b", "c."]), false);
  assertEquals(isHidden(["a", ".env"], true), false);
  assertEquals(isHidden([".sluice-upload-1"], true), true);
});

Deno.test("encodePath() percent-encodes segments that decodePath() reads back", () => {
  assertEquals(encodePath(["a b", "#?%.txt"]), "/a%20b/%23%3F%25.txt");
  assertEquals(encodePath(["dir"], true), "/dir/");
  assertEquals(encodePath([], true), "/");
});

/** Segment text: anything but the empty string and "." / "..". */
const segment = fc.string({ minLength: 1, maxLength: 12, unit: "grapheme" }).filter((s) =>
  s !== "." && s !== ".." && !s.includes("/") && !s.includes("\\") && !s.includes("\0")
);

Deno.test("decodePath() property: agrees with node:path/posix for encoded segments", () => {
  fc.assert(fc.property(fc.array(segment, { maxLength: 6 }), fc.boolean(), (segments, slash) => {
    const decoded = decodePath(encodePath(segments, slash));
    assertEquals(decoded.segments, segments);
    assertEquals(
      posix.join("/srv", ...decoded.segments),
      posix.resolve("/srv", segments.join("/")),
    );
  }));
});

Deno.test("decodePath() property: any request target resolves inside ROOT or is rejected with 400", () => {
  const piece = fc.constantFrom(
    "..",
    ".",
    "%2e%2e",
    "%2E.",
    "%2f",
    "%5c",
    "\\",
    "/",
    "%00",
    "%25",
    "%zz",
    "a",
    ".git",
    "%",
    "%c0%ae",
  );
  const target = fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 12 })
    .map((parts) => "/" + parts.join(""));
  fc.assert(fc.property(target, (raw) => {
    let segments: string[];
    try {
      segments = decodePath(pathnameOf(raw)).segments;
    } catch (error) {
      assertOk(error instanceof HttpError && error.status === 400, String(error));
      return;
    }
    for (const s of segments) {
      assertOk(s !== "" && s !== "." && s !== "..", `segment ${JSON.stringify(s)}`);
      assertOk(!/[/\\\0]/.test(s), `segment ${JSON.stringify(s)}`);
    }
    assertOk(contained("/srv/root", posix.join("/srv/root", ...segments)), raw);
  }));
});
