import fc from "fast-check";
import { formatHttpDate } from "../src/http/http_date.ts";
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import {
  boundaryOf,
  fixtureBytes,
  headerSnapshot,
  parseByteRanges,
  rawRequest,
} from "./helpers/http_fixtures.ts";
import { captureConsole } from "./helpers/console.ts";
import { CAN_DENY_READ } from "./helpers/permissions.ts";
import { connectRaw } from "./helpers/raw_http.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

/** 5 MiB plus an odd tail: bigger than the small-file cache and than one read chunk. */
const BIG_SIZE = 5 * 1024 * 1024 + 4321;
const BIG = fixtureBytes(BIG_SIZE);
const DIGITS = "0123456789";

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const get = (url: string, headers: HeadersInit = {}, method = "GET") =>
  fetch(url, { method, headers, redirect: "manual" });

Deno.test("serveFiles() sends every representation header with a 200", async (t) => {
  await using dir = await tempDir({ "digits.txt": DIGITS, "big.bin": BIG });
  await using server = startTestServer(dir.path);
  for (const name of ["digits.txt", "big.bin"]) {
    await t.step(name, async () => {
      const res = await get(server.href(`/${name}`));
      const body = await bytesOf(res);
      const stat = await Deno.stat(`${dir.path}/${name}`);
      assertEquals(res.status, 200);
      assertEquals(
        res.headers.get("content-type"),
        name.endsWith(".txt") ? "text/plain; charset=utf-8" : "application/octet-stream",
      );
      assertEquals(res.headers.get("content-length"), String(stat.size));
      assertEquals(res.headers.get("last-modified"), formatHttpDate(stat.mtime!));
      assertMatch(res.headers.get("etag")!, /^"[^"]+"$/);
      assertEquals(res.headers.get("accept-ranges"), "bytes");
      assertEquals(res.headers.get("x-content-type-options"), "nosniff");
      assertEquals(res.headers.get("cache-control"), "no-cache");
      assertEquals(body.length, stat.size);
      assertOk(name === "big.bin" ? body.every((b, i) => b === BIG[i]) : true);
    });
  }
});

Deno.test("serveFiles() changes the ETag when the file changes", async () => {
  await using dir = await tempDir({ "a.txt": "one" });
  await using server = startTestServer(dir.path);
  const first = await get(server.href("/a.txt"));
  assertEquals(await first.text(), "one");
  await Deno.writeTextFile(`${dir.path}/a.txt`, "three");
  const second = await get(server.href("/a.txt"));
  assertEquals(await second.text(), "three", "the small-file cache notices the change");
  assertOk(first.headers.get("etag") !== second.headers.get("etag"));
});

Deno.test("serveFiles() caches a large file's metadata, not its bytes, and notices a replacement", async () => {
  await using dir = await tempDir({ "big.bin": BIG });
  await using server = startTestServer(dir.path);
  const first = await get(server.href("/big.bin"), { range: "bytes=0-9" });
  assertEquals(await bytesOf(first), BIG.subarray(0, 10));
  const cached = server.store.cache.get("/big.bin");
  assertOk(cached && cached.bytes === null, "metadata only");

  const replacement = fixtureBytes(BIG_SIZE + 1).reverse();
  await Deno.writeFile(`${dir.path}/big.bin.new`, replacement);
  await Deno.rename(`${dir.path}/big.bin.new`, `${dir.path}/big.bin`);
  const second = await get(server.href("/big.bin"), { range: "bytes=0-9" });
  assertEquals(second.headers.get("content-range"), `bytes 0-9/${BIG_SIZE + 1}`);
  assertEquals(await bytesOf(second), replacement.subarray(0, 10));
  assertOk(first.headers.get("etag") !== second.headers.get("etag"));
});

Deno.test("serveFiles() serves a cached small file intact again and again", async () => {
  await using dir = await tempDir({ "digits.txt": DIGITS });
  await using server = startTestServer(dir.path);
  for (let i = 0; i < 4; i++) {
    const res = await get(server.href("/digits.txt"), i % 2 ? { range: "bytes=2-4" } : {});
    assertEquals(await res.text(), i % 2 ? "234" : DIGITS);
  }
});

Deno.test("serveFiles() answers cache hits with exactly the headers of the first answer", async (t) => {
  await using dir = await tempDir({ "digits.txt": DIGITS });
  await using server = startTestServer(dir.path);
  const headersOf = async (init: Record<string, string> = {}) => {
    const res = await get(server.href("/digits.txt"), init);
    await res.body?.cancel();
    return [res.status, [...res.headers].filter(([k]) => k !== "date")];
  };
  const first = await headersOf();
  await t.step("plain GET from the cache", async () => {
    assertEquals(await headersOf(), first);
  });
  await t.step("conditional GETs still evaluated on a cache hit", async () => {
    const etag = new Map(first[1] as [string, string][]).get("etag")!;
    assertEquals((await headersOf({ "if-none-match": etag }))[0], 304);
    assertEquals((await headersOf({ "if-match": '"other"' }))[0], 412);
    assertEquals((await headersOf({ range: "bytes=0-0" }))[0], 206);
  });
});

Deno.test("serveFiles() with --no-compress never transforms the bytes, even for a client that accepts gzip", async (t) => {
  await using dir = await tempDir({ "text.txt": DIGITS.repeat(10_000), "sub/a.txt": "a" });
  await using server = startTestServer(dir.path, { compress: false });
  for (const path of ["/text.txt", "/sub/"]) {
    await t.step(path, async () => {
      const res = await rawRequest(
        server.port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\nConnection: close\r\n\r\n`,
      );
      assertEquals(res.status, 200);
      assertOk(!/^content-encoding:/im.test(res.head), res.head);
      const length = Number(/^content-length: (\d+)$/im.exec(res.head)?.[1]);
      assertEquals(new TextEncoder().encode(res.body).length, length);
    });
  }
});

Deno.test("serveFiles() answers HEAD with exactly the GET headers and no body", async (t) => {
  await using dir = await tempDir({
    "digits.txt": DIGITS,
    "big.bin": BIG,
    "empty.txt": "",
    "sub/x.txt": "x",
  });
  await using server = startTestServer(dir.path, { index: null });
  const cases: [string, Record<string, string>][] = [
    ["/digits.txt", {}],
    ["/big.bin", {}],
    ["/empty.txt", {}],
    ["/digits.txt", { range: "bytes=0-1" }],
    ["/big.bin", { range: "bytes=0-1,5-6" }],
    ["/", {}],
    ["/sub/", { accept: "application/json" }],
    ["/sub", {}],
    ["/missing.txt", {}],
    ["/digits.txt", { "if-none-match": "*" }],
  ];
  for (const [path, headers] of cases) {
    await t.step(`${path} ${JSON.stringify(headers)}`, async () => {
      // HEAD describes the GET without Range (RFC 9110 §14.2: Range is for GET only).
      const { range: _, ...withoutRange } = headers;
      const full = await get(server.href(path), withoutRange);
      await full.body?.cancel();
      const head = await get(server.href(path), headers, "HEAD");
      assertEquals(head.status, full.status);
      assertEquals(headerSnapshot(head), headerSnapshot(full));
      assertEquals((await bytesOf(head)).length, 0);
    });
  }
  await t.step("HEAD keeps Content-Length of a streamed file", async () => {
    const head = await get(server.href("/big.bin"), {}, "HEAD");
    await head.body?.cancel();
    assertEquals(head.headers.get("content-length"), String(BIG_SIZE));
  });
});

Deno.test("serveFiles() answers single ranges byte-exact at unaligned offsets", async (t) => {
  await using dir = await tempDir({ "big.bin": BIG, "digits.txt": DIGITS });
  await using server = startTestServer(dir.path);
  const cases: [string, number, number][] = [
    ["bytes=0-0", 0, 0],
    ["bytes=1-1", 1, 1],
    ["bytes=12345-1048579", 12345, 1048579],
    ["bytes=262143-262145", 262143, 262145],
    // One read chunk (256 KiB) is read at once; one byte more is streamed.
    ["bytes=1-262144", 1, 262144],
    ["bytes=1-262145", 1, 262145],
    [`bytes=${BIG_SIZE - 7}-`, BIG_SIZE - 7, BIG_SIZE - 1],
    ["bytes=-100001", BIG_SIZE - 100001, BIG_SIZE - 1],
    [`bytes=4194303-${BIG_SIZE + 1000}`, 4194303, BIG_SIZE - 1],
    ["bytes=-99999999999", 0, BIG_SIZE - 1],
  ];
  for (const [range, start, end] of cases) {
    await t.step(range, async () => {
      const res = await get(server.href("/big.bin"), { range });
      const body = await bytesOf(res);
      assertEquals(res.status, 206);
      assertEquals(res.headers.get("content-range"), `bytes ${start}-${end}/${BIG_SIZE}`);
      assertEquals(res.headers.get("content-length"), String(end - start + 1));
      assertEquals(res.headers.get("content-type"), "application/octet-stream");
      assertOk(res.headers.get("etag"));
      assertEquals(body.length, end - start + 1);
      assertOk(body.every((b, i) => b === BIG[start + i]), "bytes equal the fixture");
    });
  }
  await t.step("suffix of a small (cached) file", async () => {
    const res = await get(server.href("/digits.txt"), { range: "bytes=-3" });
    assertEquals([res.status, res.headers.get("content-range"), await res.text()], [
      206,
      "bytes 7-9/10",
      "789",
    ]);
  });
});

Deno.test("serveFiles() property: a range body is the fixture's subarray and as long as Content-Length", async () => {
  await using dir = await tempDir({ "big.bin": BIG });
  await using server = startTestServer(dir.path);
  await fc.assert(
    fc.asyncProperty(fc.nat(BIG_SIZE - 1), fc.nat(3 * 1024 * 1024), async (start, length) => {
      const end = start + length;
      const res = await get(server.href("/big.bin"), { range: `bytes=${start}-${end}` });
      const body = await bytesOf(res);
      const expected = BIG.subarray(start, Math.min(end, BIG_SIZE - 1) + 1);
      assertEquals(res.status, 206);
      assertEquals(Number(res.headers.get("content-length")), body.length);
      assertEquals(body.length, expected.length);
      assertOk(body.every((b, i) => b === expected[i]));
    }),
    { numRuns: 15 },
  );
});

Deno.test("serveFiles() property: small ranges (read at once) are byte-exact too", async () => {
  await using dir = await tempDir({ "big.bin": BIG });
  await using server = startTestServer(dir.path);
  await fc.assert(
    fc.asyncProperty(fc.nat(BIG_SIZE - 1), fc.nat(300 * 1024), async (start, length) => {
      const end = Math.min(start + length, BIG_SIZE - 1);
      const res = await get(server.href("/big.bin"), { range: `bytes=${start}-${end}` });
      const body = await bytesOf(res);
      assertEquals(res.status, 206);
      assertEquals(Number(res.headers.get("content-length")), end - start + 1);
      assertEquals(body, BIG.subarray(start, end + 1));
    }),
    { numRuns: 25 },
  );
});

Deno.test("serveFiles() sends exactly Content-Length bytes of a file that grows meanwhile, on a reusable connection", async (t) => {
  const size = 16 * 1024 * 1024; // more than loopback buffers take while the client waits
  const original = fixtureBytes(size);
  for (
    const [label, range, start] of [["whole file", "", 0], [
      "range to the end",
      "bytes=1000-",
      1000,
    ]] as const
  ) {
    await t.step(label, async () => {
      await using dir = await tempDir({ "grow.bin": original, "small.txt": "small" });
      await using server = startTestServer(dir.path);
      using conn = await connectRaw(server.url);
      await conn.write(
        `GET /grow.bin HTTP/1.1\r\nHost: x\r\n${range && `Range: ${range}\r\n`}\r\n`,
      );
      const head = await conn.readHead(); // the body is on its way: now the file grows
      using file = await Deno.open(`${dir.path}/grow.bin`, { append: true });
      await file.write(new Uint8Array(1024 * 1024).fill(7));
      assertEquals(head.status, range ? 206 : 200);
      assertEquals(head.headers.get("content-length"), String(size - start));
      const body = await conn.readBody(size - start);
      assertOk(body.every((b, i) => b === original[start + i]), "the bytes of the old size");
      await conn.write("GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n");
      const next = await conn.read();
      assertEquals([next.status, new TextDecoder().decode(next.body)], [200, "small"]);
    });
  }
});

Deno.test("serveFiles() answers 503, not a torn body, when a file shrinks during a small range read", async () => {
  await using dir = await tempDir({ "big.bin": BIG });
  await using server = startTestServer(dir.path);
  const read = server.store.readRangeSync.bind(server.store);
  server.store.readRangeSync = (path, start, end) => {
    Deno.truncateSync(path, start + 1); // the file shrinks between stat and read
    return read(path, start, end);
  };
  const res = await get(server.href("/big.bin"), { range: "bytes=100-199" });
  assertEquals(
    [res.status, res.headers.get("retry-after"), await res.text()],
    [503, "1", "File changed while being read\n"],
  );
});

Deno.test("serveFiles() streams multiple ranges as multipart/byteranges, byte-exact", async (t) => {
  await using dir = await tempDir({ "big.bin": BIG, "digits.txt": DIGITS });
  await using server = startTestServer(dir.path);
  const cases: [string, string, [number, number][], Uint8Array, string][] = [
    [
      "/big.bin",
      "bytes=-50, 0-99,1048576-1048675,3000000-3999999",
      [[0, 99], [1048576, 1048675], [3000000, 3999999], [BIG_SIZE - 50, BIG_SIZE - 1]],
      BIG,
      "application/octet-stream",
    ],
    [
      "/digits.txt",
      "bytes=0-1,4-5,-1",
      [[0, 1], [4, 5], [9, 9]],
      new TextEncoder().encode(DIGITS),
      "text/plain; charset=utf-8",
    ],
  ];
  for (const [path, range, expected, source, type] of cases) {
    await t.step(`${path} ${range}`, async () => {
      const res = await get(server.href(path), { range });
      const body = await bytesOf(res);
      assertEquals(res.status, 206);
      assertEquals(res.headers.get("content-range"), null);
      assertEquals(Number(res.headers.get("content-length")), body.length);
      const parts = parseByteRanges(body, boundaryOf(res.headers.get("content-type")));
      assertEquals(parts.map((p) => [p.start, p.end]), expected);
      for (const part of parts) {
        assertEquals(part.headers.get("content-type"), type);
        assertEquals(part.size, source.length);
        const want = source.subarray(part.start, part.end + 1);
        assertEquals(part.bytes.length, want.length);
        assertOk(part.bytes.every((b, i) => b === want[i]), `part ${part.start}-${part.end}`);
      }
    });
  }
});

Deno.test("serveFiles() coalesces overlapping and adjacent ranges into one part", async (t) => {
  await using dir = await tempDir({ "digits.txt": DIGITS });
  await using server = startTestServer(dir.path);
  for (const range of ["bytes=0-4,5-9", "bytes=0-6,3-9", "bytes=5-,0-5"]) {
    await t.step(range, async () => {
      const res = await get(server.href("/digits.txt"), { range });
      assertEquals(res.status, 206);
      assertEquals(res.headers.get("content-range"), "bytes 0-9/10");
      assertEquals(await res.text(), DIGITS);
    });
  }
});

Deno.test("serveFiles() answers 200 with the whole file instead of amplifying", async (t) => {
  await using dir = await tempDir({ "digits.txt": DIGITS, "big.bin": BIG });
  await using server = startTestServer(dir.path);
  const many = "bytes=" + Array.from({ length: 17 }, (_, i) => `${i * 10}-${i * 10}`).join(",");
  const cases: [string, string, number][] = [
    ["/big.bin", many, BIG_SIZE],
    ["/digits.txt", "bytes=0-5,0-5,8-9", 10],
    ["/digits.txt", "bytes=0-0,0-0,0-0,0-0,0-0,0-0,0-0,0-0,0-0,0-0,0-0,9-9", 10],
  ];
  for (const [path, range, size] of cases) {
    await t.step(`${path} ${range.slice(0, 40)}`, async () => {
      const res = await get(server.href(path), { range });
      const body = await bytesOf(res);
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-length"), String(size));
      assertEquals(body.length, size);
    });
  }
  await t.step("16 ranges are still served", async () => {
    const sixteen = "bytes=" +
      Array.from({ length: 16 }, (_, i) => `${i * 10}-${i * 10}`).join(",");
    const res = await get(server.href("/big.bin"), { range: sixteen });
    const parts = parseByteRanges(await bytesOf(res), boundaryOf(res.headers.get("content-type")));
    assertEquals([res.status, parts.length], [206, 16]);
  });
});

Deno.test("serveFiles() answers 416 with bytes */SIZE when nothing is satisfiable", async (t) => {
  await using dir = await tempDir({ "digits.txt": DIGITS, "big.bin": BIG, "empty.txt": "" });
  await using server = startTestServer(dir.path);
  const cases: [string, string, number][] = [
    ["/digits.txt", "bytes=10-", 10],
    ["/digits.txt", "bytes=10-20,30-", 10],
    ["/digits.txt", "bytes=-0", 10],
    ["/big.bin", `bytes=${BIG_SIZE}-`, BIG_SIZE],
    ["/empty.txt", "bytes=0-", 0],
  ];
  for (const [path, range, size] of cases) {
    await t.step(`${path} ${range}`, async () => {
      const res = await get(server.href(path), { range });
      assertEquals((await bytesOf(res)).length, 0);
      assertEquals(res.status, 416);
      assertEquals(res.headers.get("content-range"), `bytes */${size}`);
    });
  }
});

Deno.test("serveFiles() serves an empty file, also for a suffix range", async () => {
  await using dir = await tempDir({ "empty.txt": "" });
  await using server = startTestServer(dir.path);
  for (const headers of [{}, { range: "bytes=-5" }] as Record<string, string>[]) {
    const res = await get(server.href("/empty.txt"), headers);
    assertEquals([res.status, res.headers.get("content-length"), await res.text()], [200, "0", ""]);
  }
});

Deno.test("serveFiles() ignores an invalid Range header or unknown unit", async (t) => {
  await using dir = await tempDir({ "digits.txt": DIGITS });
  await using server = startTestServer(dir.path);
  for (const range of ["bytes=5-1", "items=0-1", "bytes=abc", "bytes=", "bytes=0-1,x"]) {
    await t.step(range, async () => {
      const res = await get(server.href("/digits.txt"), { range });
      assertEquals([res.status, res.headers.get("content-range"), await res.text()], [
        200,
        null,
        DIGITS,
      ]);
    });
  }
  await t.step("whitespace and empty elements are tolerated", async () => {
    const res = await get(server.href("/digits.txt"), { range: "bytes= ,2-3 , " });
    assertEquals([res.status, await res.text()], [206, "23"]);
  });
});

Deno.test("serveFiles() evaluates preconditions and If-Range over a socket", async (t) => {
  await using dir = await tempDir({ "digits.txt": DIGITS });
  const path = `${dir.path}/digits.txt`;
  await Deno.utime(
    path,
    new Date("2024-01-10T12:00:00.400Z"),
    new Date("2024-01-10T12:00:00.400Z"),
  );
  await using server = startTestServer(dir.path);
  const probe = await get(server.href("/digits.txt"));
  await probe.body?.cancel();
  const etag = probe.headers.get("etag")!;
  const lastModified = probe.headers.get("last-modified")!;
  assertEquals(lastModified, "Wed, 10 Jan 2024 12:00:00 GMT");
  const earlier = "Wed, 10 Jan 2024 11:59:59 GMT";
  const later = "Wed, 10 Jan 2024 12:00:01 GMT";
  const cases: [string, Record<string, string>, number, string][] = [
    ["If-None-Match equal", { "if-none-match": etag }, 304, ""],
    ["If-None-Match weak", { "if-none-match": `W/${etag}` }, 304, ""],
    ["If-None-Match *", { "if-none-match": "*" }, 304, ""],
    ["If-None-Match other", { "if-none-match": '"other"' }, 200, DIGITS],
    ["If-Modified-Since equal", { "if-modified-since": lastModified }, 304, ""],
    ["If-Modified-Since earlier", { "if-modified-since": earlier }, 200, DIGITS],
    [
      "If-None-Match other beats If-Modified-Since",
      { "if-none-match": '"other"', "if-modified-since": later },
      200,
      DIGITS,
    ],
    ["If-Match equal", { "if-match": etag }, 200, DIGITS],
    ["If-Match other", { "if-match": '"other"' }, 412, "Precondition failed\n"],
    [
      "If-Unmodified-Since earlier",
      { "if-unmodified-since": earlier },
      412,
      "Precondition failed\n",
    ],
    ["If-Unmodified-Since equal", { "if-unmodified-since": lastModified }, 200, DIGITS],
    ["Range with If-None-Match equal", { range: "bytes=0-1", "if-none-match": etag }, 304, ""],
    ["If-Range etag", { range: "bytes=0-1", "if-range": etag }, 206, "01"],
    ["If-Range weak etag", { range: "bytes=0-1", "if-range": `W/${etag}` }, 200, DIGITS],
    ["If-Range stale etag", { range: "bytes=0-1", "if-range": '"stale"' }, 200, DIGITS],
    ["If-Range date", { range: "bytes=0-1", "if-range": lastModified }, 206, "01"],
    ["If-Range other date", { range: "bytes=0-1", "if-range": later }, 200, DIGITS],
  ];
  for (const [label, headers, status, body] of cases) {
    await t.step(`${label} → ${status}`, async () => {
      const res = await get(server.href("/digits.txt"), headers);
      assertEquals([res.status, await res.text()], [status, body]);
    });
  }
  await t.step("304 carries ETag, Last-Modified and Cache-Control", async () => {
    const res = await get(server.href("/digits.txt"), { "if-none-match": etag });
    await res.body?.cancel();
    assertEquals(res.status, 304);
    assertEquals(res.headers.get("etag"), etag);
    assertEquals(res.headers.get("last-modified"), lastModified);
    assertEquals(res.headers.get("cache-control"), "no-cache");
    assertEquals(res.headers.get("content-range"), null);
  });
});

Deno.test("createApp() answers OPTIONS with 204 and Allow, other methods with 405 and Allow", async (t) => {
  await using dir = await tempDir({ "digits.txt": DIGITS });
  await using server = startTestServer(dir.path);
  await t.step("OPTIONS", async () => {
    const res = await get(server.href("/digits.txt"), {}, "OPTIONS");
    await res.body?.cancel();
    assertEquals([res.status, res.headers.get("allow")], [204, "GET, HEAD, PROPFIND, OPTIONS"]);
  });
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    await t.step(method, async () => {
      const res = await fetch(server.href("/digits.txt"), {
        method,
        body: method === "DELETE" ? undefined : "x",
      });
      assertEquals([res.status, res.headers.get("allow"), await res.text()], [
        405,
        "GET, HEAD, PROPFIND, OPTIONS",
        "Method not allowed\n",
      ]);
    });
  }
  assertEquals(await Deno.readTextFile(`${dir.path}/digits.txt`), DIGITS);
});

Deno.test("serveFiles() redirects a directory without a trailing slash, keeping the query", async () => {
  await using dir = await tempDir({ "sub dir/a.txt": "a" });
  await using server = startTestServer(dir.path);
  const res = await get(server.href("/sub%20dir?sort=size&x=%2F"));
  await res.body?.cancel();
  assertEquals(res.status, 301);
  assertEquals(res.headers.get("location"), "/sub%20dir/?sort=size&x=%2F");
});

Deno.test("serveListing() renders escaped names, encoded links, folders first and a parent link", async (t) => {
  await using dir = await tempDir({
    "top/<b>&\"'.txt": "x",
    "top/a b#?%.txt": "hello",
    "top/a.txt": "a",
    "top/zeta/inner.txt": "i",
    "top/Beta/inner.txt": "i",
  });
  await using server = startTestServer(dir.path);
  const res = await get(server.href("/top/"), { "accept-encoding": "identity" });
  const html = await res.text();
  await t.step("headers", () => {
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
    assertEquals(res.headers.get("content-length"), String(new TextEncoder().encode(html).length));
    assertOk(res.headers.get("content-security-policy"));
  });
  await t.step("names are HTML-escaped", () => {
    assertOk(html.includes("&lt;b&gt;&amp;&quot;&#39;.txt"));
    assertOk(!html.includes("<b>&"));
  });
  await t.step("links are percent-encoded", () => {
    assertOk(html.includes('href="a%20b%23%3F%25.txt"'));
    // encodeURIComponent leaves ' alone; the attribute escape turns it into &#39;.
    assertOk(html.includes('href="%3Cb%3E%26%22&#39;.txt"'));
    assertOk(html.includes('href="zeta/"'));
  });
  await t.step("folders come first", () => {
    const order = ["Beta/", "zeta/", "a.txt"].map((name) => html.indexOf(`>${name}<`));
    assertOk(order.every((i) => i !== -1), String(order));
    assertOk(order[0] < order[1] && order[1] < order[2], String(order));
  });
  await t.step("sizes are human-readable", () => assertOk(html.includes("5 B")));
  await t.step("a parent link below ROOT, none at ROOT", async () => {
    assertOk(html.includes('href="../"'));
    const root = await (await get(server.href("/"))).text();
    assertOk(!root.includes('href="../"'));
  });
});

Deno.test("serveListing() answers JSON for Accept: application/json", async () => {
  await using dir = await tempDir({ "d/f i.txt": "hello", "d/sub/x": "" });
  await using server = startTestServer(dir.path);
  const res = await get(server.href("/d/"), { accept: "application/json" });
  assertEquals(res.headers.get("content-type"), "application/json; charset=utf-8");
  const entries = await res.json();
  const stat = await Deno.stat(`${dir.path}/d/f i.txt`);
  assertEquals(entries.length, 2);
  assertEquals(entries[0].name, "sub");
  assertEquals(entries[0].type, "dir");
  assertEquals(entries[0].href, "/d/sub/");
  assertEquals(entries[1], {
    name: "f i.txt",
    type: "file",
    size: 5,
    mtime: stat.mtime!.toISOString(),
    href: "/d/f%20i.txt",
  });
});

Deno.test("serveFiles() with --no-listing answers 404 for directories without an index", async () => {
  await using dir = await tempDir({ "d/a.txt": "a", "site/index.html": "<p>hi</p>" });
  await using server = startTestServer(dir.path, { listing: false, index: "index.html" });
  const listing = await get(server.href("/d/"));
  assertEquals([listing.status, await listing.text()], [404, "Not found\n"]);
  const site = await get(server.href("/site/"));
  assertEquals([site.status, await site.text()], [200, "<p>hi</p>"]);
  const file = await get(server.href("/d/a.txt"));
  assertEquals([file.status, await file.text()], [200, "a"]);
});

Deno.test("serveFiles() with --index serves the index file of a directory", async (t) => {
  await using dir = await tempDir({ "site/index.html": "<p>hi</p>", "plain/a.txt": "a" });
  await using server = startTestServer(dir.path, { index: "index.html" });
  await t.step("GET", async () => {
    const res = await get(server.href("/site/"));
    assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
    assertEquals([res.status, await res.text()], [200, "<p>hi</p>"]);
  });
  await t.step("HEAD", async () => {
    const res = await get(server.href("/site/"), {}, "HEAD");
    await res.body?.cancel();
    assertEquals([res.status, res.headers.get("content-length")], [200, "9"]);
  });
  await t.step("a range of the index", async () => {
    const res = await get(server.href("/site/"), { range: "bytes=1-1" });
    assertEquals([res.status, await res.text()], [206, "p"]);
  });
  await t.step("a directory without an index is listed", async () => {
    const res = await get(server.href("/plain/"));
    assertOk((await res.text()).includes("a.txt"));
  });
  await t.step("without --index the index file is only listed", async () => {
    await using plain = startTestServer(dir.path);
    const res = await get(plain.href("/site/"));
    assertOk((await res.text()).includes('href="index.html"'));
  });
});

Deno.test("serveFiles() hides dot-entries unless dotfiles is on", async (t) => {
  await using dir = await tempDir({
    ".env": "SECRET=1",
    ".git/config": "[core]",
    "visible.txt": "v",
    "d/.hidden.txt": "h",
    ".sluice-upload-1234": "partial upload",
  });
  await t.step("hidden by default", async () => {
    await using server = startTestServer(dir.path);
    for (const path of ["/.env", "/.git/config", "/.git/", "/d/.hidden.txt", "/%2eenv"]) {
      const res = await get(server.href(path));
      assertEquals([path, res.status, await res.text()], [path, 404, "Not found\n"]);
    }
    const listing = await (await get(server.href("/"), { accept: "application/json" })).json();
    assertEquals(listing.map((e: { name: string }) => e.name), ["d", "visible.txt"]);
  });
  await t.step("served and listed with dotfiles", async () => {
    await using server = startTestServer(dir.path, { dotfiles: true });
    const res = await get(server.href("/.env"));
    assertEquals([res.status, await res.text()], [200, "SECRET=1"]);
    const config = await get(server.href("/.git/config"));
    assertEquals(await config.text(), "[core]");
    const listing = await (await get(server.href("/"), { accept: "application/json" })).json();
    assertEquals(listing.map((e: { name: string }) => e.name), [
      ".git",
      "d",
      ".env",
      "visible.txt",
    ]);
  });
  await t.step("upload temp files stay hidden even with dotfiles", async () => {
    await using server = startTestServer(dir.path, { dotfiles: true });
    const res = await get(server.href("/.sluice-upload-1234"));
    assertEquals([res.status, await res.text()], [404, "Not found\n"]);
  });
});

Deno.test("serveFiles() adds Content-Disposition for ?download", async () => {
  await using dir = await tempDir({ 'résumé "final".pdf': "%PDF" });
  await using server = startTestServer(dir.path);
  const res = await get(server.href("/r%C3%A9sum%C3%A9%20%22final%22.pdf?download"));
  assertEquals(await res.text(), "%PDF");
  assertEquals(res.headers.get("content-type"), "application/pdf");
  assertEquals(
    res.headers.get("content-disposition"),
    `attachment; filename="r_sum_ _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`,
  );
  const plain = await get(server.href("/r%C3%A9sum%C3%A9%20%22final%22.pdf"));
  await plain.body?.cancel();
  assertEquals(plain.headers.get("content-disposition"), null);
});

Deno.test("createApp() adds CORS headers with cors: *", async () => {
  await using dir = await tempDir({ "digits.txt": DIGITS });
  await using server = startTestServer(dir.path, { cors: "*" });
  const res = await get(server.href("/digits.txt"), {
    origin: "https://elsewhere.example",
    range: "bytes=0-0",
  });
  assertEquals(await res.text(), "0");
  assertEquals(res.headers.get("access-control-allow-origin"), "*");
  const exposed = res.headers.get("access-control-expose-headers") ?? "";
  for (const name of ["Content-Range", "Accept-Ranges", "ETag", "Content-Length"]) {
    assertOk(exposed.includes(name), name);
  }
  await using closed = startTestServer(dir.path);
  const none = await get(closed.href("/digits.txt"), { origin: "https://elsewhere.example" });
  await none.body?.cancel();
  assertEquals(none.headers.get("access-control-allow-origin"), null);
});

Deno.test("serveFiles() answers 404 for a FIFO instead of blocking on it", async () => {
  await using dir = await tempDir({ "a.txt": "a" });
  const made = await new Deno.Command("mkfifo", { args: [`${dir.path}/pipe`] }).output();
  assertOk(made.success, "mkfifo");
  await using server = startTestServer(dir.path);
  const res = await get(server.href("/pipe"), {}, "GET");
  assertEquals([res.status, await res.text()], [404, "Not found\n"]);
  const listing = await (await get(server.href("/"), { accept: "application/json" })).json();
  assertEquals(listing.map((e: { name: string }) => e.name), ["a.txt"]);
});

Deno.test("serveFiles() answers 404, not 500, for a symlink loop and an overlong name", async () => {
  await using dir = await tempDir({});
  await Deno.symlink(`${dir.path}/loop-a`, `${dir.path}/loop-b`);
  await Deno.symlink(`${dir.path}/loop-b`, `${dir.path}/loop-a`);
  await using server = startTestServer(dir.path);
  for (const path of ["/loop-a", "/loop-a/x", "/" + "n".repeat(300), "/a/" + "n".repeat(5000)]) {
    const res = await get(server.href(path));
    assertEquals([path.slice(0, 20), res.status], [path.slice(0, 20), 404]);
    await res.body?.cancel();
  }
  const listing = await get(server.href("/"), { accept: "application/json" });
  assertEquals([listing.status, await listing.json()], [200, []]);
});

Deno.test({
  name: "serveFiles() answers 403 for a file it may not read (skipped as root, who reads anything)",
  ignore: !CAN_DENY_READ,
  async fn() {
    await using dir = await tempDir({ "secret.txt": "s", "small.txt": "x" });
    await Deno.chmod(`${dir.path}/secret.txt`, 0o000);
    await using server = startTestServer(dir.path);
    const res = await get(server.href("/secret.txt"));
    assertEquals([res.status, await res.text()], [403, "Permission denied\n"]);
  },
});

Deno.test("serveFiles() never answers 500 for a chmod 000 file or directory", async () => {
  await using dir = await tempDir({ "secret.txt": "s", "locked/x.txt": "x" });
  await Deno.chmod(`${dir.path}/secret.txt`, 0o000);
  await Deno.chmod(`${dir.path}/locked`, 0o000);
  await using server = startTestServer(dir.path);
  try {
    for (const path of ["/secret.txt", "/locked/", "/locked/x.txt", "/"]) {
      const res = await get(server.href(path));
      await res.body?.cancel();
      assertOk([200, 403].includes(res.status), `${path} → ${res.status}`);
    }
  } finally {
    await Deno.chmod(`${dir.path}/locked`, 0o755);
  }
});

Deno.test("createApp() logs one access line per request with the bytes sent, - when unknown", async () => {
  await using dir = await tempDir({ "digits.txt": DIGITS });
  const lines = await captureConsole("log", async () => {
    await using server = startTestServer(dir.path, { quiet: false });
    for (
      const [path, headers] of [["/digits.txt", {}], ["/digits.txt", { range: "bytes=0-2" }], [
        "/nope",
        {},
      ], ["/_/stream?steps=1&interval=10", {}]] as const
    ) {
      const res = await get(server.href(path), headers);
      await res.body?.cancel();
    }
    const head = await get(server.href("/digits.txt"), {}, "HEAD");
    await head.body?.cancel();
  });
  assertEquals(lines.length, 5);
  assertMatch(lines[0], /^127\.0\.0\.1 GET \/digits\.txt 200 10B \d+(\.\d)?ms$/);
  assertMatch(lines[1], / GET \/digits\.txt 206 3B /);
  assertMatch(lines[2], / GET \/nope 404 10B /);
  assertMatch(lines[3], / GET \/_\/stream\?steps=1&interval=10 200 - /);
  assertMatch(lines[4], / HEAD \/digits\.txt 200 0B /);
});

Deno.test("serveListing() leaves out ROOT's _ folder, which /_/ shadows", async () => {
  await using dir = await tempDir({ "_/inside.txt": "x", "a.txt": "a", "sub/_/deep.txt": "y" });
  await using server = startTestServer(dir.path);
  const names = async (path: string) =>
    (await (await get(server.href(path), { accept: "application/json" })).json()).map(
      (e: { name: string }) => e.name,
    );
  assertEquals(await names("/"), ["sub", "a.txt"]);
  // Only ROOT's: /sub/_/ is an ordinary folder.
  assertEquals(await names("/sub/"), ["_"]);
  const html = await (await get(server.href("/"))).text();
  assertOk(!html.includes('href="_/"'));
});

Deno.test("serveListing() leaves out names with a backslash, which no URL can name", async () => {
  await using dir = await tempDir({ "a\\b.txt": "x", "ok.txt": "y" });
  await using server = startTestServer(dir.path);
  const listing = await (await get(server.href("/"), { accept: "application/json" })).json();
  assertEquals(listing.map((e: { name: string }) => e.name), ["ok.txt"]);
  const res = await get(server.href("/a%5cb.txt"));
  assertEquals(res.status, 400);
  await res.body?.cancel();
});

Deno.test("serveListing() with ?q= lists matches in the folder and below", async (t) => {
  await using dir = await tempDir({
    "Cat.png": "1",
    "sub/black cat.jpg": "2",
    "sub/deep/CATALOG/notes.txt": "3",
    "sub/dog.png": "4",
    ".cats/hidden.txt": "5",
    "_/cat-shadowed.txt": "6",
  });
  await using server = startTestServer(dir.path);
  await t.step("JSON: paths below the folder, any case, no dot-entries or /_/", async () => {
    const res = await get(server.href("/?q=CAT"), { accept: "application/json" });
    const found = await res.json();
    assertEquals(found.map((e: { name: string; href: string }) => [e.name, e.href]), [
      ["sub/deep/CATALOG", "/sub/deep/CATALOG/"],
      ["Cat.png", "/Cat.png"],
      ["sub/black cat.jpg", "/sub/black%20cat.jpg"],
    ]);
  });
  await t.step("below a subfolder, hrefs are relative to it", async () => {
    const res = await get(server.href("/sub/?q=cat"), { accept: "application/json" });
    const found = await res.json();
    assertEquals(found.map((e: { href: string }) => e.href), [
      "/sub/deep/CATALOG/",
      "/sub/black%20cat.jpg",
    ]);
  });
  await t.step(
    "HTML: a results page with relative links and sort links that keep the query",
    async () => {
      const html = await (await get(server.href("/sub/?q=cat"))).text();
      assertMatch(html, /<h1>Search results for “cat” in \/sub\/<\/h1>/);
      assertMatch(html, /href="black%20cat\.jpg">black cat\.jpg<\/a>/);
      assertMatch(html, /href="deep\/CATALOG\/">deep\/CATALOG\/<\/a>/);
      assertMatch(html, /href="\?q=cat&amp;sort=size&amp;order=desc"/);
      assertMatch(html, /<input type="search" id="search-q" name="q" value="cat"/);
    },
  );
  await t.step("a query longer than any name is refused", async () => {
    const res = await get(server.href(`/?q=${"x".repeat(256)}`));
    assertEquals([res.status, await res.text()], [400, "Search text too long\n"]);
  });
  await t.step("no match says so; the query is escaped", async () => {
    const html = await (await get(server.href("/?q=%3Cb%3Ezebra")).then((r) => r)).text();
    assertMatch(html, /<p class="empty" id="empty">Nothing here matches “&lt;b&gt;zebra”\.<\/p>/);
  });
});

Deno.test("serveListing() with ?q= shows at most 1,000 matches and says so", async () => {
  await using dir = await tempDir();
  for (let i = 0; i < 1001; i++) Deno.writeTextFileSync(`${dir.path}/match-${i}.txt`, "");
  await using server = startTestServer(dir.path);
  const found = await (await get(server.href("/?q=match"), { accept: "application/json" })).json();
  assertEquals(found.length, 1000);
  const html = await (await get(server.href("/?q=match"))).text();
  assertMatch(html, /Only the first 1,000 matches are shown\./);
});
