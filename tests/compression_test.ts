import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  gunzipSync,
  gzipSync,
  zstdDecompressSync,
} from "node:zlib";
import type { ContentCoding } from "../src/http/accept_encoding.ts";
import { gzipStream } from "../src/streams/gzip_stream.ts";
import { nginxConfig } from "./bench/nginx.ts";
import { CHROMIUM_MISSING, collectErrors, launchBrowser } from "./browser/browser.ts";
import * as scripts from "./browser/page_scripts.js";
import { assertEquals, assertMatch, assertNotEquals, assertOk } from "./helpers/assert.ts";
import { openFds, settledFds } from "./helpers/fds.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

/** Text that compresses like prose: words from a small vocabulary, in a seeded order. */
function prose(bytes: number, seed = 1): string {
  const words = ["stream", "range", "byte", "sluice", "deno", "file", "cache", "gzip", "a", "of"];
  let text = "";
  let state = seed;
  while (text.length < bytes) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += words[state % words.length] + (state % 7 === 0 ? ".\n" : " ");
  }
  return text.slice(0, bytes);
}

const PAGE = prose(20_000); // cached with its bytes (≤ 64 KiB)
const BIG = prose(300_000, 2); // gzipped as the client pulls it
const APP = prose(5_000, 3);
const BIG_JS = prose(400_000, 4);
const OLD = prose(3_000, 5);

const encoder = new TextEncoder();

/** The served tree; precompressed siblings made with other settings than Sluice's. */
function fixtures(): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = {
    "page.txt": PAGE,
    "big.txt": BIG,
    "tiny.txt": "short text",
    "pic.png": new Uint8Array(4096).fill(7),
    "app.js": APP,
    "app.js.gz": gzipSync(APP, { level: 1 }),
    "app.js.br": brotliCompressSync(APP, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }),
    "big.js": BIG_JS,
    "big.js.gz": gzipSync(BIG_JS, { level: 1 }),
    "old.css": OLD,
    "old.css.gz": gzipSync("stale " + OLD, { level: 1 }),
  };
  for (let i = 0; i < 40; i++) files[`many/file-${i}.txt`] = "x";
  return files;
}

interface CurlResult {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

const CURL_FEATURES: string | null = (() => {
  try {
    const out = new Deno.Command("curl", { args: ["-V"] }).outputSync();
    return new TextDecoder().decode(out.stdout);
  } catch {
    return null;
  }
})();
if (CURL_FEATURES === null) console.warn("Skipping curl compression tests: curl not installed");

/** Runs curl on one URL; without `--compressed` the body is the coded bytes as sent. */
async function curl(args: string[]): Promise<CurlResult> {
  const dir = await Deno.makeTempDir({ prefix: "sluice-curl-" });
  try {
    const out = await new Deno.Command("curl", {
      args: ["-sS", "-D", `${dir}/head`, "-o", `${dir}/body`, ...args],
    }).output();
    if (!out.success) throw new Error(`curl failed: ${new TextDecoder().decode(out.stderr)}`);
    const head = (await Deno.readTextFile(`${dir}/head`)).trim().split("\r\n");
    const headers = new Headers();
    for (const line of head.slice(1)) {
      const colon = line.indexOf(":");
      headers.append(line.slice(0, colon), line.slice(colon + 1).trim());
    }
    return {
      status: Number(head[0].split(" ")[1]),
      headers,
      body: await Deno.readFile(`${dir}/body`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Decodes a body as sent with `coding` (`null`: identity), into a plain `Uint8Array`. */
function decode(coding: string | null, bytes: Uint8Array): Uint8Array {
  switch (coding) {
    case null:
      return bytes;
    case "gzip":
      return new Uint8Array(gunzipSync(bytes));
    case "br":
      return new Uint8Array(brotliDecompressSync(bytes));
    case "zstd":
      return new Uint8Array(zstdDecompressSync(bytes));
  }
  throw new Error(`unexpected coding ${coding}`);
}

/** Headers a test compares between answers (not the date). */
function headerList(headers: Headers): [string, string][] {
  return [...headers].filter(([name]) => name !== "date");
}

/** fetch without reading the body: its status and headers. */
async function head(url: string, headers: Record<string, string>, method = "GET") {
  const res = await fetch(url, { method, headers });
  await res.body?.cancel();
  return res;
}

const CODINGS: ContentCoding[] = ["gzip", "br", "zstd"];
const curlTest = { ignore: CURL_FEATURES === null };

Deno.test(
  "serveFiles() sends each coding, raw bytes decoding to the file exactly",
  curlTest,
  async (t) => {
    await using dir = await tempDir(fixtures());
    await using server = startTestServer(dir.path);
    for (const coding of CODINGS) {
      for (
        const [path, text, expected] of [
          ["/page.txt", PAGE, coding],
          ["/big.txt", BIG, coding === "gzip" ? "gzip" : null],
        ] as const
      ) {
        await t.step(`${path} with Accept-Encoding: ${coding}`, async () => {
          // Twice: the first answer fills the cache, the second comes from it.
          for (let i = 0; i < 2; i++) {
            const res = await curl(["-H", `Accept-Encoding: ${coding}`, server.href(path)]);
            assertEquals(res.status, 200);
            assertEquals(res.headers.get("content-encoding"), expected);
            assertEquals(res.headers.get("vary"), "Accept-Encoding");
            assertEquals(new TextDecoder().decode(decode(expected, res.body)), text);
            if (expected !== null) assertOk(res.body.length < text.length / 2);
            // A length wherever it is known: not for a gzip stream.
            const streamed = path === "/big.txt" && expected !== null;
            const length = res.headers.get("content-length");
            assertEquals(length, streamed ? null : String(res.body.length));
          }
        });
      }
    }
  },
);

Deno.test(
  "serveFiles() is byte-exact through curl --compressed for every coding curl decodes",
  curlTest,
  async (t) => {
    await using dir = await tempDir(fixtures());
    await using server = startTestServer(dir.path);
    const features: Record<ContentCoding, string> = { gzip: "libz", br: "brotli", zstd: "zstd" };
    for (const coding of CODINGS) {
      const feature = new RegExp(`^Features:.*\\b${features[coding]}\\b`, "mi");
      if (!feature.test(CURL_FEATURES ?? "")) {
        console.warn(`Skipping curl --compressed with ${coding}: this curl cannot decode it`);
        continue;
      }
      await t.step(coding, async () => {
        for (const [path, text] of [["/page.txt", PAGE], ["/big.txt", BIG], ["/app.js", APP]]) {
          const args = ["--compressed", "-H", `Accept-Encoding: ${coding}`, server.href(path)];
          const res = await curl(args);
          assertEquals(new TextDecoder().decode(res.body), text, path);
        }
      });
    }
  },
);

Deno.test(
  "serveFiles() prefers a fresh precompressed sibling and serves its bytes",
  curlTest,
  async (t) => {
    await using dir = await tempDir(fixtures());
    await using server = startTestServer(dir.path);
    const sibling = (name: string) => Deno.readFileSync(`${dir.path}/${name}`);
    await t.step("a small sibling, read into the cache", async () => {
      for (let i = 0; i < 2; i++) {
        const res = await curl(["-H", "Accept-Encoding: gzip", server.href("/app.js")]);
        assertEquals(res.headers.get("content-encoding"), "gzip");
        assertEquals(res.body, sibling("app.js.gz"));
        assertEquals(res.headers.get("content-length"), String(res.body.length));
        assertMatch(res.headers.get("etag") ?? "", /^"[^"]+-gzip"$/);
      }
    });
    await t.step("a sibling over 64 KiB, streamed from disk with its length", async () => {
      const res = await curl(["-H", "Accept-Encoding: gzip, br", server.href("/big.js")]);
      assertEquals(res.headers.get("content-encoding"), "gzip");
      assertEquals(res.body, sibling("big.js.gz"));
      assertEquals(res.headers.get("content-length"), String(res.body.length));
    });
    await t.step("q-values choose among siblings", async () => {
      const res = await curl(["-H", "Accept-Encoding: gzip;q=0.5, br", server.href("/app.js")]);
      assertEquals(res.headers.get("content-encoding"), "br");
      assertEquals(res.body, sibling("app.js.br"));
    });
    await t.step(
      "q-values still choose: zstd made from the file over a less wanted sibling",
      async () => {
        const res = await curl(["-H", "Accept-Encoding: gzip;q=0.5, zstd", server.href("/app.js")]);
        assertEquals(res.headers.get("content-encoding"), "zstd");
        assertEquals(new TextDecoder().decode(decode("zstd", res.body)), APP);
      },
    );
    await t.step("a sibling older than its file is ignored", async () => {
      const now = Date.now() / 1000;
      await Deno.utime(`${dir.path}/old.css.gz`, now - 60, now - 60);
      await Deno.utime(`${dir.path}/old.css`, now, now);
      const res = await curl(["-H", "Accept-Encoding: gzip", server.href("/old.css")]);
      assertEquals(res.headers.get("content-encoding"), "gzip");
      assertEquals(new TextDecoder().decode(decode("gzip", res.body)), OLD);
    });
    await t.step("a sibling rewritten after it was cached is never sent stale", async () => {
      const fresh = new Uint8Array(gzipSync(APP, { level: 9 }));
      await Deno.writeFile(`${dir.path}/app.js.gz`, fresh);
      const future = Date.now() / 1000 + 5;
      await Deno.utime(`${dir.path}/app.js.gz`, future, future);
      // The answer that notices the change codes the file itself; the next
      // one has found the new sibling.
      const noticed = await curl(["-H", "Accept-Encoding: gzip", server.href("/app.js")]);
      assertEquals(new TextDecoder().decode(decode("gzip", noticed.body)), APP);
      const res = await curl(["-H", "Accept-Encoding: gzip", server.href("/app.js")]);
      assertEquals(res.body, fresh);
    });
    await t.step("a sibling stays downloadable as itself, never coded again", async () => {
      const res = await curl(["-H", "Accept-Encoding: gzip", server.href("/big.js.gz")]);
      assertEquals(res.headers.get("content-encoding"), null);
      assertEquals(res.headers.get("content-type"), "application/gzip");
      assertEquals(res.body, sibling("big.js.gz"));
    });
  },
);

Deno.test("serveFiles() answers Range with identity bytes, byte-exact, even to gzip clients", async (t) => {
  await using dir = await tempDir(fixtures());
  await using server = startTestServer(dir.path);
  for (const [path, text] of [["/page.txt", PAGE], ["/big.txt", BIG]]) {
    await t.step(path, async () => {
      // Once before, so the cached path is covered too.
      await head(server.href(path), { "accept-encoding": "gzip" });
      const res = await fetch(server.href(path), {
        headers: { "accept-encoding": "gzip, br", range: "bytes=100-199" },
      });
      assertEquals(res.status, 206);
      assertEquals(res.headers.get("content-encoding"), null);
      assertEquals(res.headers.get("content-range"), `bytes 100-199/${text.length}`);
      assertEquals(res.headers.get("vary"), "Accept-Encoding");
      assertEquals(await res.text(), text.slice(100, 200));
    });
  }
});

Deno.test("serveFiles() gives each coding its own ETag and answers 304 for the coded one", async (t) => {
  await using dir = await tempDir(fixtures());
  await using server = startTestServer(dir.path);
  // Larger files are only gzipped on the fly.
  const cases: [string, string[]][] = [
    ["/page.txt", CODINGS],
    ["/big.txt", ["gzip"]],
    ["/app.js", CODINGS],
  ];
  for (const [path, codings] of cases) {
    await t.step(path, async () => {
      const answers = [];
      for (const coding of ["identity", ...codings]) {
        answers.push(await head(server.href(path), { "accept-encoding": coding }));
      }
      const tags = answers.map((r) => r.headers.get("etag"));
      assertEquals(new Set(tags).size, answers.length, tags.join(" "));
      const gzip = answers[1];
      const revalidated = await head(server.href(path), {
        "accept-encoding": "gzip",
        "if-none-match": gzip.headers.get("etag")!,
      });
      assertEquals(revalidated.status, 304);
      assertEquals(revalidated.headers.get("etag"), gzip.headers.get("etag"));
      assertEquals(revalidated.headers.get("vary"), "Accept-Encoding");
      // The gzip tag does not validate what an identity client would get.
      const other = await head(server.href(path), {
        "accept-encoding": "identity",
        "if-none-match": gzip.headers.get("etag")!,
      });
      assertEquals(other.status, 200);
    });
  }
});

Deno.test("serveFiles() answers HEAD with exactly the headers of the coded GET", async (t) => {
  await using dir = await tempDir(fixtures());
  await using server = startTestServer(dir.path);
  for (
    const path of ["/page.txt", "/big.txt", "/app.js", "/big.js", "/many/", "/_/static/style.css"]
  ) {
    for (const coding of CODINGS) {
      await t.step(`${path} ${coding}`, async () => {
        // HEAD first: it must not depend on a GET having filled the cache.
        const headRes = await head(server.href(path), { "accept-encoding": coding }, "HEAD");
        const getRes = await head(server.href(path), { "accept-encoding": coding });
        const comparable = (h: Headers) =>
          headerList(h).filter(([name]) => name !== "transfer-encoding");
        assertEquals(comparable(headRes.headers), comparable(getRes.headers));
      });
    }
  }
});

Deno.test("serveFiles() never codes small bodies, compressed types or live streams", async (t) => {
  await using dir = await tempDir(fixtures());
  await using server = startTestServer(dir.path, { heartbeat: 100 });
  const accept = { "accept-encoding": "gzip, br, zstd" };
  for (const path of ["/tiny.txt", "/pic.png"]) {
    await t.step(path, async () => {
      const res = await head(server.href(path), accept);
      assertEquals(res.headers.get("content-encoding"), null);
      assertEquals(res.headers.get("vary"), null);
    });
  }
  for (
    const path of [
      "/_/sse/countdown?from=1&interval=10",
      "/_/stream?message=hi&steps=1&interval=10",
      "/big.txt?checksum=sha256",
      "/_/events",
    ]
  ) {
    await t.step(path, async () => {
      const res = await head(server.href(path), accept);
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-encoding"), null);
    });
  }
});

Deno.test("serveListing() gzips pages and JSON from 1 KiB on, byte-exact", curlTest, async (t) => {
  await using dir = await tempDir(fixtures());
  await using server = startTestServer(dir.path);
  for (const accept of ["text/html", "application/json"]) {
    await t.step(accept, async () => {
      const identity = await curl(["-H", `Accept: ${accept}`, server.href("/many/")]);
      const coded = await curl([
        "-H",
        `Accept: ${accept}`,
        "-H",
        "Accept-Encoding: gzip",
        server.href("/many/"),
      ]);
      assertEquals(identity.headers.get("content-encoding"), null);
      assertEquals(coded.headers.get("content-encoding"), "gzip");
      assertEquals(coded.headers.get("vary"), "Accept, Accept-Encoding");
      assertEquals(coded.headers.get("content-length"), String(coded.body.length));
      assertEquals(decode("gzip", coded.body), identity.body);
    });
  }
});

Deno.test("staticAssets() sends UI assets coded, with their own ETag and 304", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const url = server.href("/_/static/style.css");
  const res = await fetch(url, { headers: { "accept-encoding": "br" } });
  assertEquals(res.headers.get("content-encoding"), "br");
  assertEquals(res.headers.get("vary"), "Accept-Encoding");
  assertEquals(res.headers.get("accept-ranges"), null);
  const css = await Deno.readTextFile(new URL("../static/style.css", import.meta.url));
  // fetch decodes br itself.
  assertEquals(await res.text(), css);
  const etag = res.headers.get("etag")!;
  assertMatch(etag, /-br"$/);
  const again = await head(url, { "accept-encoding": "br", "if-none-match": etag });
  assertEquals(again.status, 304);
});

Deno.test("--no-compress sends every body as it is, without Vary: Accept-Encoding", async (t) => {
  await using dir = await tempDir(fixtures());
  await using server = startTestServer(dir.path, { compress: false });
  for (const path of ["/page.txt", "/big.txt", "/app.js", "/many/", "/_/static/style.css"]) {
    await t.step(path, async () => {
      const res = await head(server.href(path), { "accept-encoding": "gzip, br, zstd" });
      assertEquals(res.headers.get("content-encoding"), null);
      assertOk(!(res.headers.get("vary") ?? "").includes("Accept-Encoding"));
    });
  }
});

Deno.test("serveFiles() closes the file of every gzip stream a client leaves", async () => {
  await using dir = await tempDir({ "huge.txt": prose(4 * 1024 * 1024, 6) });
  await using server = startTestServer(dir.path);
  const before = await openFds();
  for (let i = 0; i < 20; i++) {
    const controller = new AbortController();
    const res = await fetch(server.href("/huge.txt"), {
      headers: { "accept-encoding": "gzip" },
      signal: controller.signal,
    });
    assertEquals(res.headers.get("content-encoding"), "gzip");
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => {});
  }
  assertEquals(await settledFds(before), before);
  assertEquals(server.state.openStreams().download, 0);
});

Deno.test("gzipStream() compresses as pulled and its cancel reaches the source", async () => {
  let cancelled = false;
  let pulled = 0;
  const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      pulled++;
      controller.enqueue(encoder.encode(prose(64 * 1024, pulled)));
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  const reader = gzipStream(source).getReader();
  const first = await reader.read();
  assertOk(!first.done && first.value.length > 0);
  // Bounded: one output chunk did not drain an endless source.
  assertOk(pulled < 10, `pulled ${pulled} chunks`);
  await reader.cancel();
  assertOk(cancelled);
});

Deno.test({
  name: "staticAssets() serves UI assets that Chromium decodes and runs",
  ignore: CHROMIUM_MISSING !== null,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using dir = await tempDir({ "a.txt": "a" });
    await using server = startTestServer(dir.path);
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const errors = collectErrors(page);
    const codings = new Map<string, string | undefined>();
    page.on("response", (res) => {
      const { pathname } = new URL(res.url());
      if (pathname.startsWith("/_/static/")) {
        codings.set(pathname, res.headers()["content-encoding"]);
      }
    });
    await page.goto(server.href("/"));
    // The listing script rendered the table, and the stylesheet applied.
    await page.waitForSelector('#live-status[data-status="live"]');
    assertEquals(await page.evaluate(scripts.visibleNames), ["a.txt"]);
    // What Chromium decoded is the stylesheet, byte for byte.
    const css = await page.evaluate(() => fetch("/_/static/style.css").then((r) => r.text()));
    assertEquals(css, await Deno.readTextFile(new URL("../static/style.css", import.meta.url)));
    assertEquals(errors, []);
    assertNotEquals(codings.size, 0);
    for (const [path, coding] of codings) {
      const size = (await Deno.stat(new URL(`../static/${path.slice(10)}`, import.meta.url))).size;
      const compressible = size >= 1024 && !path.endsWith(".png");
      if (compressible) assertOk(coding === "br" || coding === "zstd" || coding === "gzip", path);
    }
    assertEquals(codings.get("/_/static/style.css"), "br");
  },
});

Deno.test("nginxConfig() with gzip turns on gzip and gzip_static for text, as the bench compares", () => {
  const config = nginxConfig({
    root: "/srv",
    prefix: "/tmp/p",
    port: 8080,
    sendfile: false,
    gzip: true,
  });
  for (
    const line of [
      "gzip on;",
      "gzip_static on;",
      "gzip_vary on;",
      "gzip_min_length 1024;",
      "text/plain txt;",
    ]
  ) {
    assertOk(config.includes(line), line);
  }
  assertOk(
    !nginxConfig({ root: "/srv", prefix: "/tmp/p", port: 8080, sendfile: false }).includes("gzip"),
  );
});
