/** Pure pieces of share links: expiry, names, link paths, tokens, limits, input. */
import fc from "fast-check";
import { HttpError } from "../src/http/http_error.ts";
import { numberedName } from "../src/shares/drop_name.ts";
import { parseExpiry } from "../src/shares/expiry.ts";
import { FailureLimiter, MAX_FAILURES, WINDOW_MS } from "../src/shares/failure_limiter.ts";
import { countsAsDownload, type ShareTarget } from "../src/shares/download_count.ts";
import { cookieValue, passCookieHeader } from "../src/shares/pass_cookie.ts";
import { parseShareRequest } from "../src/shares/share_input.ts";
import { logPath, parseShareLinkPath } from "../src/shares/share_link_path.ts";
import {
  hashPassword,
  hashToken,
  isShareIdShaped,
  isTokenShaped,
  newShareId,
  newToken,
  passCookieValue,
  sameSecret,
  verifyPassword,
} from "../src/shares/token.ts";
import { shareRequest } from "../static/share.js";
import { assertEquals, assertOk, assertThrows } from "./helpers/assert.ts";

const NOW = Date.parse("2026-12-06T12:00:00Z");
const HOUR = 3600_000;

Deno.test("parseExpiry() reads durations, ISO times and never", async (t) => {
  const rows: [string | undefined, number | null][] = [
    [undefined, NOW + 7 * 24 * HOUR],
    ["", NOW + 7 * 24 * HOUR],
    ["  ", NOW + 7 * 24 * HOUR],
    ["never", null],
    ["90s", NOW + 90_000],
    ["30m", NOW + 30 * 60_000],
    ["45min", NOW + 45 * 60_000],
    ["2h", NOW + 2 * HOUR],
    ["2 h", NOW + 2 * HOUR],
    ["7d", NOW + 7 * 24 * HOUR],
    ["2w", NOW + 14 * 24 * HOUR],
    ["2026-12-24T18:00:00Z", Date.parse("2026-12-24T18:00:00Z")],
    ["2026-12-24T18:00Z", Date.parse("2026-12-24T18:00:00Z")],
    ["2026-12-24T18:00:00.5+01:00", Date.parse("2026-12-24T17:00:00.500Z")],
    ["2026-12-24", Date.parse("2026-12-24T00:00:00Z")],
  ];
  for (const [input, expected] of rows) {
    await t.step(`${JSON.stringify(input)}`, () => assertEquals(parseExpiry(input, NOW), expected));
  }
});

Deno.test("parseExpiry() refuses zero, the past, far futures, zoneless times and nonsense", async (t) => {
  const rows: [string, RegExp][] = [
    ["0h", /longer than zero/],
    ["3651d", /ten years/],
    ["2001-01-01T00:00:00Z", /in the past/],
    ["2026-12-06T12:00:00Z", /in the past/],
    ["2040-01-01T00:00:00Z", /ten years/],
    ["2026-12-24T18:00:00", /time zone/],
    ["2026-13-45T99:00:00Z", /Invalid expiry time/],
    ["soon", /Invalid expiry/],
    ["-2h", /Invalid expiry/],
    ["2.5h", /Invalid expiry/],
    ["NEVER", /Invalid expiry/],
    ["2y", /Invalid expiry/],
  ];
  for (const [input, reason] of rows) {
    await t.step(input, () => {
      try {
        parseExpiry(input, NOW);
      } catch (error) {
        assertOk(error instanceof RangeError);
        assertOk(reason.test(error.message), error.message);
        return;
      }
      throw new Error(`${input} was accepted`);
    });
  }
});

Deno.test("numberedName() numbers before the extension", async (t) => {
  const rows: [string, number, string][] = [
    ["report.pdf", 0, "report.pdf"],
    ["report.pdf", 1, "report (1).pdf"],
    ["report.pdf", 12, "report (12).pdf"],
    ["README", 1, "README (1)"],
    ["archive.tar.gz", 1, "archive (1).tar.gz"],
    ["a.b.c", 2, "a.b (2).c"],
    ["trailing.", 1, "trailing (1)."],
    ["photo (1).jpg", 1, "photo (1) (1).jpg"],
  ];
  for (const [name, n, expected] of rows) {
    await t.step(`${name} #${n}`, () => assertEquals(numberedName(name, n), expected));
  }
});

Deno.test("numberedName() always differs from the name and keeps its extension", () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 999 }), (name, n) => {
      const numbered = numberedName(name, n);
      const dot = name.lastIndexOf(".");
      return numbered !== name && numbered.includes(` (${n})`) &&
        (dot <= 0 || numbered.endsWith(name.slice(dot)));
    }),
  );
});

Deno.test("parseShareLinkPath() splits token and rest", async (t) => {
  const rows: [string, ReturnType<typeof parseShareLinkPath>][] = [
    ["/_/s/abc", { token: "abc", rest: "" }],
    ["/_/s/abc/", { token: "abc", rest: "/" }],
    ["/_/s/abc/d/e.txt", { token: "abc", rest: "/d/e.txt" }],
    ["/_/s/", { token: "", rest: "" }],
    ["/_/s//x", { token: "", rest: "/x" }],
    ["/_/shares", null],
    ["/s/abc", null],
  ];
  for (const [path, expected] of rows) {
    await t.step(path, () => assertEquals(parseShareLinkPath(path), expected));
  }
});

Deno.test("logPath() replaces a share token with the share id", async (t) => {
  const rows: [string, string | null, string][] = [
    ["/_/s/SECRET", "abc", "/_/s/id:abc"],
    ["/_/s/SECRET/", "abc", "/_/s/id:abc/"],
    ["/_/s/SECRET/a%20b.txt?download", "abc", "/_/s/id:abc/a%20b.txt?download"],
    ["/_/s/SECRET?x=1", "abc", "/_/s/id:abc?x=1"],
    ["/_/s/GUESS/a.txt", null, "/_/s/id:-/a.txt"],
    ["/pub/a.txt?q=1", null, "/pub/a.txt?q=1"],
    ["/_/shares", "abc", "/_/shares"],
  ];
  for (const [path, id, expected] of rows) {
    await t.step(path, () => assertEquals(logPath(path, id), expected));
  }
});

Deno.test("newToken() makes 192-bit base64url tokens that isTokenShaped() accepts", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const token = newToken();
    assertOk(isTokenShaped(token), token);
    seen.add(token);
  }
  assertEquals(seen.size, 1000);
  for (const id of [newShareId(), newShareId()]) assertOk(isShareIdShaped(id), id);
});

Deno.test("isTokenShaped() refuses wrong lengths and alphabets", async (t) => {
  const good = "A".repeat(32);
  const rows: [string, boolean][] = [
    [good, true],
    ["aZ09-_".repeat(5) + "xy", true],
    [good.slice(1), false],
    [good + "A", false],
    ["A".repeat(31) + "=", false],
    ["A".repeat(31) + "+", false],
    ["A".repeat(31) + "/", false],
    ["A".repeat(31) + "é", false],
    ["A".repeat(31) + "%", false],
    ["", false],
  ];
  for (const [token, expected] of rows) {
    await t.step(JSON.stringify(token), () => assertEquals(isTokenShaped(token), expected));
  }
});

Deno.test("hashToken() is SHA-256 hex and sameSecret() compares exactly", async () => {
  assertEquals(
    await hashToken("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assertOk(sameSecret("abc", "abc"));
  assertOk(!sameSecret("abc", "abd"));
  assertOk(!sameSecret("abc", "abcd"));
  assertOk(!sameSecret("é", "e"));
});

Deno.test("verifyPassword() accepts only the password hashPassword() was given", async () => {
  const stored = await hashPassword("open sesame");
  assertOk(await verifyPassword("open sesame", stored));
  assertOk(!await verifyPassword("open sesame ", stored));
  assertOk(!await verifyPassword("", stored));
  const other = await hashPassword("open sesame");
  assertOk(other.salt !== stored.salt && other.hash !== stored.hash, "salted");
  const cookie = await passCookieValue("token", stored);
  assertEquals(cookie, await passCookieValue("token", stored));
  assertOk(cookie !== await passCookieValue("other", stored));
  assertOk(cookie !== await passCookieValue("token", other));
});

Deno.test("cookieValue() finds one cookie in a Cookie header", async (t) => {
  const rows: [string | null, string | null][] = [
    [null, null],
    ["", null],
    ["sluice_share=abc", "abc"],
    ["a=1; sluice_share=abc; b=2", "abc"],
    ["xsluice_share=abc", null],
    ["sluice_share", null],
  ];
  for (const [header, expected] of rows) {
    await t.step(`${header}`, () => assertEquals(cookieValue(header, "sluice_share"), expected));
  }
});

Deno.test("FailureLimiter() blocks a client after too many failures until the window ends", () => {
  const limiter = new FailureLimiter();
  for (let i = 0; i < MAX_FAILURES; i++) {
    assertEquals(limiter.retryAfter("a", 1000), 0);
    limiter.fail("a", 1000);
  }
  assertEquals(limiter.retryAfter("a", 1000), WINDOW_MS / 1000);
  assertEquals(limiter.retryAfter("a", 1000 + WINDOW_MS - 1500), 2);
  assertEquals(limiter.retryAfter("b", 1000), 0, "other clients are not affected");
  assertEquals(limiter.retryAfter("a", 1000 + WINDOW_MS), 0, "a new window starts");
  limiter.fail("a", 1000 + WINDOW_MS);
  assertEquals(limiter.retryAfter("a", 1000 + WINDOW_MS), 0);
});

Deno.test("FailureLimiter() forgets the stalest clients past its bound", () => {
  const limiter = new FailureLimiter();
  for (let i = 0; i < MAX_FAILURES; i++) limiter.fail("first", 0);
  for (let i = 0; i < 10_000; i++) limiter.fail(`c${i}`, 0);
  assertEquals(limiter.retryAfter("first", 0), 0);
});

Deno.test("parseShareRequest() validates a share request body", async (t) => {
  const ok = parseShareRequest({ path: "/a b/c/", mode: "upload", maxFiles: 3 }, NOW);
  assertEquals(ok, {
    segments: ["a b", "c"],
    mode: "upload",
    expiresAt: NOW + 7 * 24 * HOUR,
    password: null,
    maxDownloads: null,
    maxBytes: null,
    maxFiles: 3,
  });
  assertEquals(parseShareRequest({ path: "/" }, NOW).segments, []);
  assertEquals(parseShareRequest({ path: "/x", password: "pw" }, NOW).password, "pw");
  const bad: [string, unknown][] = [
    ["null", null],
    ["string", "x"],
    ["no path", {}],
    ["path number", { path: 3 }],
    ["dot dot", { path: "/a/../b" }],
    ["backslash", { path: "/a\\b" }],
    ["NUL", { path: "/a\0" }],
    ["mode", { path: "/", mode: "admin" }],
    ["negative", { path: "/", maxDownloads: -1 }],
    ["fraction", { path: "/", maxDownloads: 1.5 }],
    ["string limit", { path: "/", maxDownloads: "3" }],
    ["read with maxFiles", { path: "/", maxFiles: 3 }],
    ["upload with maxDownloads", { path: "/", mode: "upload", maxDownloads: 3 }],
    ["long password", { path: "/", password: "x".repeat(257) }],
    ["unknown", { path: "/", token: "x" }],
  ];
  for (const [what, body] of bad) {
    await t.step(what, () => assertThrows(() => parseShareRequest(body, NOW), HttpError));
  }
});

Deno.test("passCookieHeader() scopes the cookie to the link and ends it with the share", async (t) => {
  const rows: [Parameters<typeof passCookieHeader>[1], string][] = [
    [
      { path: "/_/s/tok", secure: false, expiresAt: null, now: 0 },
      "sluice_share=v; Path=/_/s/tok; HttpOnly; SameSite=Lax",
    ],
    [
      { path: "/_/s/tok", secure: true, expiresAt: 90_500, now: 0 },
      "sluice_share=v; Path=/_/s/tok; HttpOnly; SameSite=Lax; Secure; Max-Age=91",
    ],
    [
      { path: "/_/s/tok", secure: false, expiresAt: 10, now: 20 },
      "sluice_share=v; Path=/_/s/tok; HttpOnly; SameSite=Lax; Max-Age=1",
    ],
  ];
  for (const [scope, expected] of rows) {
    await t.step(expected, () => assertEquals(passCookieHeader("v", scope), expected));
  }
});

Deno.test("countsAsDownload() counts GETs of files and archives from their first byte", async (t) => {
  const rows: [string, Record<string, string>, ShareTarget, boolean][] = [
    ["GET", {}, "file", true],
    ["GET", {}, "archive", true],
    ["GET", {}, "other", false],
    ["HEAD", {}, "file", false],
    ["GET", { range: "bytes=0-" }, "file", true],
    ["GET", { range: "bytes = 0-99" }, "file", true],
    ["GET", { range: "BYTES=0-1,5-9" }, "file", true],
    ["GET", { range: "bytes=500-" }, "file", false],
    ["GET", { range: "bytes=-500" }, "file", false],
    ["GET", { range: "bytes=05-" }, "file", false],
    ["GET", { range: "bytes=00-" }, "file", true],
    ["GET", { "if-none-match": '"x"' }, "file", false],
    ["GET", { "if-modified-since": "Sun, 06 Dec 2026 00:00:00 GMT" }, "file", false],
  ];
  for (const [method, headers, target, expected] of rows) {
    await t.step(
      `${method} ${JSON.stringify(headers)} ${target}`,
      () => assertEquals(countsAsDownload(method, new Headers(headers), target), expected),
    );
  }
});

Deno.test("shareRequest() sends only the fields the chosen mode uses", async (t) => {
  const base = { path: "/a/", expires: "7d", password: "", maxDownloads: "", maxFiles: "" };
  const rows: [Partial<typeof base> & { mode: string }, Record<string, unknown>][] = [
    [{ mode: "read" }, { path: "/a/", mode: "read", expires: "7d" }],
    [{ mode: "read", password: "pw", maxDownloads: "3", maxFiles: "9" }, {
      path: "/a/",
      mode: "read",
      expires: "7d",
      password: "pw",
      maxDownloads: 3,
    }],
    [{ mode: "upload", maxDownloads: "3", maxFiles: "9" }, {
      path: "/a/",
      mode: "upload",
      expires: "7d",
      maxFiles: 9,
    }],
  ];
  for (const [fields, expected] of rows) {
    await t.step(
      JSON.stringify(fields),
      () => assertEquals(shareRequest({ ...base, ...fields }), expected),
    );
  }
});
