import { affects } from "../static/live_feed.js";
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";
import { fileKind } from "../src/html/file_kind.ts";
import {
  type ListingSort,
  parseListingSort,
  renderListingPage,
  sortEntries,
} from "../src/html/listing_page.ts";
import type { DirEntry } from "../src/fs/file_store.ts";
import * as browserFormat from "../static/format.js";
import { isUploadable } from "../static/dropped_files.js";
import { uploadError, uploadUrl } from "../static/upload.js";
import { nameProblem } from "../static/manage.js";
import { sortFromParams } from "../static/listing_table.js";

const ENTRIES: DirEntry[] = [
  { name: "b.txt", isDirectory: false, size: 300, mtime: 3_000 },
  { name: "a10.mp4", isDirectory: false, size: 100, mtime: 1_000 },
  { name: "a9.mp4", isDirectory: false, size: 200, mtime: 2_000 },
  { name: "zeta", isDirectory: true, size: 4096, mtime: 500 },
  { name: "Alpha", isDirectory: true, size: 4096, mtime: 4_000 },
];

function model(writable: boolean) {
  return { segments: ["a & b", "c"], entries: ENTRIES, writable, version: "9.9.9" };
}

Deno.test("parseListingSort() reads ?sort and ?order, defaulting per column", async (t) => {
  const rows: [string, ListingSort][] = [
    ["", { key: "name", order: "asc" }],
    ["sort=size", { key: "size", order: "desc" }],
    ["sort=mtime", { key: "mtime", order: "desc" }],
    ["sort=mtime&order=asc", { key: "mtime", order: "asc" }],
    ["sort=name&order=desc", { key: "name", order: "desc" }],
    ["sort=owner&order=sideways", { key: "name", order: "asc" }],
  ];
  for (const [query, expected] of rows) {
    await t.step(query || "(none)", () => {
      assertEquals(parseListingSort(new URLSearchParams(query)), expected);
    });
  }
});

Deno.test("sortEntries() keeps folders first and orders files by the chosen column", async (t) => {
  const names = (sort: ListingSort) => sortEntries(ENTRIES, sort).map((e) => e.name);
  await t.step("name ascending is natural and case-insensitive", () => {
    assertEquals(names({ key: "name", order: "asc" }), [
      "Alpha",
      "zeta",
      "a9.mp4",
      "a10.mp4",
      "b.txt",
    ]);
  });
  await t.step("size descending (folders stay A to Z)", () => {
    assertEquals(names({ key: "size", order: "desc" }), [
      "Alpha",
      "zeta",
      "b.txt",
      "a9.mp4",
      "a10.mp4",
    ]);
  });
  await t.step("modified ascending", () => {
    assertEquals(names({ key: "mtime", order: "asc" }), [
      "zeta",
      "Alpha",
      "a10.mp4",
      "a9.mp4",
      "b.txt",
    ]);
  });
});

Deno.test("renderListingPage() escapes names and links every row by kind", () => {
  const html = renderListingPage({
    ...model(false),
    entries: [{
      name: `<img src=x onerror="alert(1)">.png`,
      isDirectory: false,
      size: 1,
      mtime: 0,
    }],
  });
  assertOk(!html.includes("<img src=x"), "the name is escaped");
  assertMatch(html, /data-kind="image"/);
  assertMatch(
    html,
    /class="entry kind-image" href="%3Cimg%20src%3Dx%20onerror%3D%22alert\(1\)%22%3E\.png"/,
  );
  assertMatch(html, /<a href="\/a%20%26%20b\/">a &amp; b<\/a>/);
  assertMatch(html, /<a href="\/a%20%26%20b\/c\/" aria-current="page">c<\/a>/);
  assertOk(!/<(script|style)>/.test(html), "no inline scripts or styles (strict CSP)");
  assertOk(!/\sstyle=/.test(html), "no style attributes (strict CSP)");
});

Deno.test("renderListingPage() renders upload controls only when the client may write", () => {
  const readOnly = renderListingPage(model(false));
  assertMatch(readOnly, /data-writable="false"/);
  assertOk(!readOnly.includes('id="upload"'));
  assertOk(!readOnly.includes('type="file"'));
  const writable = renderListingPage(model(true));
  assertMatch(writable, /data-writable="true"/);
  assertMatch(writable, /<section class="upload" id="upload"[^>]*hidden>/);
  assertMatch(writable, /<input type="file" id="upload-input" multiple hidden>/);
});

Deno.test("renderListingPage() links column headers to the reverse of the current order", () => {
  const html = renderListingPage({ ...model(false), sort: { key: "size", order: "desc" } });
  assertMatch(
    html,
    /aria-sort="descending"><a class="sort" data-key="size" href="\?sort=size&amp;order=asc">/,
  );
  assertMatch(
    html,
    /aria-sort="none"><a class="sort" data-key="name" href="\?sort=name&amp;order=asc">/,
  );
  assertMatch(
    html,
    /aria-sort="none"><a class="sort" data-key="mtime" href="\?sort=mtime&amp;order=desc">/,
  );
});

Deno.test("fileKind() classifies names by extension, case-insensitively", () => {
  const table: [string, boolean, string][] = [
    ["a.MP4", false, "video"],
    ["song.flac", false, "audio"],
    ["photo.jpeg", false, "image"],
    ["notes.md", false, "text"],
    ["b.rs", false, "code"],
    ["x.tar.gz", false, "archive"],
    ["paper.pdf", false, "pdf"],
    ["noext", false, "file"],
    [".hidden", false, "file"],
    ["videos.mp4", true, "dir"],
  ];
  for (const [name, isDirectory, kind] of table) {
    assertEquals(fileKind(name, isDirectory), kind, name);
  }
});

Deno.test("humanSize() uses binary units with one decimal below ten", () => {
  const table: [number, string][] = [
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [10 * 1024, "10 KiB"],
    [5e6, "4.8 MiB"],
    [3e9, "2.8 GiB"],
  ];
  for (const [n, text] of table) assertEquals(browserFormat.humanSize(n), text, String(n));
});

Deno.test("demosPage() serves /_/ with the UI's strict CSP and revalidates by ETag", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/"));
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
  assertMatch(res.headers.get("content-security-policy") ?? "", /script-src 'self';/);
  assertMatch(await res.text(), /<title>Stream demos · Sluice<\/title>/);
  const etag = res.headers.get("etag") ?? "";
  const again = await fetch(server.href("/_/"), { headers: { "if-none-match": etag } });
  assertEquals(again.status, 304);
  await again.body?.cancel();
  const other = await fetch(server.href("/_/nothing-here"));
  assertEquals(other.status, 404);
  await other.body?.cancel();
});

Deno.test("serveListing() orders rows by ?sort=size&order=desc without JavaScript", async () => {
  await using dir = await tempDir({
    "small.txt": "1",
    "big.txt": "1234567890",
    "mid.txt": "12345",
  });
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/?sort=size&order=desc"));
  const names = [...(await res.text()).matchAll(/<tr data-name="([^"]+)"/g)].map((m) => m[1]);
  assertEquals(names, ["big.txt", "mid.txt", "small.txt"]);
});

Deno.test("staticAssets() serves every module and asset the UI pages refer to", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const pending = ["/", "/_/"];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const path = pending.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    const res = await fetch(server.href(path));
    assertEquals(res.status, 200, path);
    const text = await res.text();
    const refs = [
      ...text.matchAll(/(?:href|src)="(\/_\/static\/[^"]+)"/g),
      ...text.matchAll(/from "\.\/([a-z_]+\.js)"/g),
    ].map((m) => m[1].startsWith("/") ? m[1] : `/_/static/${m[1]}`);
    pending.push(...refs);
  }
  for (
    const asset of [
      "/_/static/listing.js",
      "/_/static/demos.js",
      "/_/static/upload.js",
      "/_/static/style.css",
    ]
  ) {
    assertOk(seen.has(asset), asset);
  }
});

Deno.test("uploadError() explains each failure status in words", async (t) => {
  const rows: [number, string, RegExp][] = [
    [0, "", /^Network error/],
    [401, "Authentication required", /^Sign-in required/],
    [403, "Read-only user", /^Not allowed/],
    [405, "", /^Uploads are turned off/],
    [409, "", /^Conflict/],
    [412, "", /^A file with this name already exists\.$/],
    [413, "", /^Too large/],
    [507, "", /disk is full/],
    [500, "Internal server error\n", /^Upload failed \(500: Internal server error\)\.$/],
  ];
  for (const [status, body, expected] of rows) {
    await t.step(String(status), () => assertMatch(uploadError(status, body), expected));
  }
});

Deno.test("renderListingPage() offers the folder as a .zip, .tar and .tar.gz download", () => {
  const html = renderListingPage(model(false));
  assertMatch(html, /<a href="\?download=zip" download>\.zip<\/a>/);
  assertMatch(html, /<a href="\?download=tar" download>\.tar<\/a>/);
  assertMatch(html, /<a href="\?download=tar\.gz" download>\.tar\.gz<\/a>/);
});

Deno.test("affects() tells which changes alter a folder's listing", () => {
  const cases: [path: string, dir: string, expected: boolean][] = [
    ["docs/a.txt", "docs/", true],
    ["docs/deep/b.txt", "docs/", true],
    ["docs", "docs/", true], // the folder itself removed or renamed
    ["/docs/a.txt", "docs/", true],
    ["docsx/a.txt", "docs/", false],
    ["other.txt", "docs/", false],
    ["anything", "", true],
  ];
  for (const [path, dir, expected] of cases) {
    assertEquals(affects(path, dir), expected, `${path} in ${dir}`);
  }
});

Deno.test("nameProblem() refuses names the server would refuse or hide", () => {
  const cases: [string, string | null][] = [
    ["holiday 2026", null],
    ["ünï ✓", null],
    ["", "Enter a name."],
    ["   ", "Enter a name."],
    ["..", "That name is reserved."],
    ["a/b", "A name cannot contain / or \\."],
    ["a\\b", "A name cannot contain / or \\."],
    [".env", "Names starting with a dot are hidden on this server."],
  ];
  for (const [name, expected] of cases) assertEquals(nameProblem(name), expected, name);
});

Deno.test("uploadUrl() encodes each segment; isUploadable() skips dot-entries anywhere", () => {
  assertEquals(uploadUrl("/dir%20x/", "trip/day 1?.txt"), "/dir%20x/trip/day%201%3F.txt");
  assertEquals(isUploadable("trip/photos/a.jpg"), true);
  assertEquals(isUploadable("trip/.git/HEAD"), false);
  assertEquals(isUploadable(".DS_Store"), false);
});

Deno.test("sortFromParams() reads the same ?sort and ?order as the server", () => {
  for (const query of ["", "sort=size", "sort=mtime&order=asc", "sort=bogus&order=up"]) {
    const params = new URLSearchParams(query);
    assertEquals(sortFromParams(params), parseListingSort(params), query);
  }
});
