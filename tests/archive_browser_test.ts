/**
 * Folder ZIP downloads in Chromium's own download manager: a TCP proxy
 * between the browser and Sluice closes the connection after about 40% of
 * the first archive response (a clean FIN before `Content-Length`), and
 * Chromium resumes on its own with `Range` and `If-Range`. An unchanged
 * folder resumes (`206`) into the very archive a plain `fetch` gets; a
 * folder changed at the cut gets the whole new archive, never the old
 * archive's head spliced onto the new one's tail. Sanitizers are off as in
 * every browser test (puppeteer keeps its pipes open across awaits).
 * @module
 */
import { assertEquals, assertMatch, assertNotEquals, assertOk } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { fixtureBytes } from "./helpers/http_fixtures.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";
import { BROWSER_TEST, launchBrowser, type Page } from "./browser/browser.ts";

const ARCHIVE = "/pack/?download=zip";
const CUT_FRACTION = 0.4;

/** A few MB in several files; `pack/a.bin` comes first and ends before the cut. */
function packFiles(): Record<string, Uint8Array> {
  return {
    "pack/a.bin": fixtureBytes(1024 * 1024, 1),
    "pack/b.bin": fixtureBytes(1536 * 1024, 2),
    "pack/docs/c.bin": fixtureBytes(768 * 1024, 3),
    "pack/docs/notes.txt": new TextEncoder().encode("0123456789\n"),
  };
}

// ---------------------------------------------------------------------------
// A byte-forwarding proxy that logs every exchange and cuts the first archive

/** One request through the proxy and the head of its answer (`status` 0: none came). */
interface Exchange {
  method: string;
  target: string;
  request: Headers;
  status: number;
  response: Headers;
}

interface CuttingProxy extends AsyncDisposable {
  port: number;
  /** Every exchange in the order the requests arrived. */
  exchanges: Exchange[];
  /** How many body bytes of the first archive response went through before the cut. */
  cutAt: Promise<number>;
}

const CRLF2 = new Uint8Array([13, 10, 13, 10]);
const decoder = new TextDecoder();

function indexOfHeadEnd(bytes: Uint8Array): number {
  outer: for (let i = 0; i + 4 <= bytes.length; i++) {
    for (let j = 0; j < 4; j++) if (bytes[i + j] !== CRLF2[j]) continue outer;
    return i + 4;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function parseHead(text: string): { start: string[]; headers: Headers } {
  const [first, ...lines] = text.split("\r\n").filter((line) => line !== "");
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { start: first.split(" "), headers };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

function isArchive(exchange: Exchange): boolean {
  return exchange.method === "GET" && exchange.target === ARCHIVE;
}

/**
 * Listens on 127.0.0.1 port 0 and forwards every connection to `port`
 * byte for byte, reading the heads as they pass (requests without bodies,
 * answers framed by `Content-Length`). The first archive answer stops
 * after `CUT_FRACTION` of its body: `beforeCut` runs, then both sockets
 * close, which Chromium sees as the server ending before `Content-Length`.
 */
function startCuttingProxy(port: number, beforeCut: () => Promise<void>): CuttingProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const exchanges: Exchange[] = [];
  const open = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  let cutDone = false;
  const cut = Promise.withResolvers<number>();

  const close = (conn: Deno.Conn) => {
    if (open.delete(conn)) conn.close();
  };

  async function upstream(client: Deno.Conn, server: Deno.Conn, pending: Exchange[]) {
    let buffered: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await client.read(chunk);
      if (n === null) break;
      buffered = concat(buffered, chunk.subarray(0, n));
      for (let end = indexOfHeadEnd(buffered); end !== -1; end = indexOfHeadEnd(buffered)) {
        const { start, headers } = parseHead(decoder.decode(buffered.subarray(0, end)));
        const exchange = {
          method: start[0],
          target: start[1],
          request: headers,
          status: 0,
          response: new Headers(),
        };
        exchanges.push(exchange);
        pending.push(exchange);
        await writeAll(server, buffered.subarray(0, end));
        buffered = buffered.subarray(end);
      }
    }
    await server.closeWrite();
  }

  async function downstream(client: Deno.Conn, server: Deno.Conn, pending: Exchange[]) {
    let buffered: Uint8Array = new Uint8Array(0);
    let body = 0; // body bytes of the current answer still to pass
    let limit = Infinity; // body bytes of the current answer allowed before the cut
    let cutOffset = 0;
    const chunk = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await server.read(chunk);
      if (n === null) break;
      buffered = concat(buffered, chunk.subarray(0, n));
      while (buffered.length > 0) {
        if (body === 0) {
          const end = indexOfHeadEnd(buffered);
          if (end === -1) break;
          const { start, headers } = parseHead(decoder.decode(buffered.subarray(0, end)));
          const exchange = pending.shift();
          assertOk(exchange, "an answer without a request");
          exchange.status = Number(start[1]);
          exchange.response = headers;
          body = exchange.method === "HEAD" ? 0 : Number(headers.get("content-length") ?? 0);
          if (!cutDone && isArchive(exchange) && exchange.status === 200) {
            cutDone = true;
            limit = Math.floor(body * CUT_FRACTION);
            cutOffset = limit;
          }
          await writeAll(client, buffered.subarray(0, end));
          buffered = buffered.subarray(end);
          continue;
        }
        const take = Math.min(body, buffered.length, limit);
        await writeAll(client, buffered.subarray(0, take));
        buffered = buffered.subarray(take);
        body -= take;
        limit -= take;
        if (limit === 0) {
          await beforeCut();
          close(client);
          close(server);
          cut.resolve(cutOffset);
          return;
        }
      }
    }
    await client.closeWrite();
  }

  async function relay(client: Deno.Conn): Promise<void> {
    open.add(client);
    const server = await Deno.connect({ hostname: "127.0.0.1", port });
    open.add(server);
    const pending: Exchange[] = [];
    // A side fails with BadResource once the other closed both sockets at the cut.
    const closedUnderIt = () => {};
    await Promise.all([
      upstream(client, server, pending).catch(closedUnderIt),
      downstream(client, server, pending).catch(closedUnderIt),
    ]);
    close(client);
    close(server);
  }

  const accepting = (async () => {
    for await (const conn of listener) tasks.push(relay(conn));
  })();

  return {
    port: listener.addr.port,
    exchanges,
    cutAt: cut.promise,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting.catch(() => {});
      for (const conn of [...open]) close(conn);
      await Promise.all(tasks);
    },
  };
}

// ---------------------------------------------------------------------------
// Chromium's download manager through CDP

interface DownloadProgress {
  guid: string;
  totalBytes: number;
  receivedBytes: number;
  state: "inProgress" | "completed" | "canceled";
}

/** What `Browser.setDownloadBehavior` with `eventsEnabled` reports on a session. */
interface DownloadEvents {
  on(event: "Browser.downloadWillBegin", handler: (event: { guid: string }) => void): void;
  on(event: "Browser.downloadProgress", handler: (event: DownloadProgress) => void): void;
}

/** Where a download ended: its last progress event and every state it went through. */
interface Download {
  guid: string;
  final: DownloadProgress;
  states: string[];
}

/**
 * Saves downloads of `page` into `folder` under their GUIDs, navigates to
 * `url` and waits until the one download completes or is canceled.
 */
async function download(page: Page, folder: string, url: string): Promise<Download> {
  const cdp = await page.createCDPSession();
  const events = cdp as unknown as DownloadEvents;
  const began = Promise.withResolvers<string>();
  const ended = Promise.withResolvers<DownloadProgress>();
  const states: string[] = [];
  events.on("Browser.downloadWillBegin", ({ guid }) => began.resolve(guid));
  events.on("Browser.downloadProgress", (event) => {
    if (states.at(-1) !== event.state) states.push(event.state);
    if (event.state !== "inProgress") ended.resolve(event);
  });
  await cdp.send("Browser.setDownloadBehavior", {
    behavior: "allowAndName",
    downloadPath: folder,
    eventsEnabled: true,
  });
  // A navigation that turns into a download is reported as aborted.
  await page.goto(url).catch((error: Error) => assertMatch(error.message, /ERR_ABORTED/));
  const guid = await deadline(began.promise, "the download to begin");
  const final = await deadline(ended.promise, "the download to end", 60_000);
  assertEquals(final.guid, guid);
  return { guid, final, states };
}

async function archiveOf(href: string): Promise<Uint8Array> {
  const res = await fetch(href);
  assertEquals(res.status, 200);
  return await res.bytes();
}

/** `unzip -t` on the file: every entry's CRC checked against its bytes. */
async function unzipTest(path: string): Promise<{ ok: boolean; output: string }> {
  const { success, stdout, stderr } = await new Deno.Command("unzip", { args: ["-t", path] })
    .output();
  return { ok: success, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

function archiveExchanges(proxy: CuttingProxy): Exchange[] {
  return proxy.exchanges.filter(isArchive);
}

function describe(exchanges: Exchange[]): string {
  return exchanges.map((e) =>
    `${e.method} ${e.target} range=${e.request.get("range")} if-range=${
      e.request.get("if-range")
    } -> ${e.status} etag=${e.response.get("etag")} content-range=${
      e.response.get("content-range")
    }`
  ).join("\n");
}

// ---------------------------------------------------------------------------

Deno.test({
  name: "serveArchive() lets Chromium resume a cut folder ZIP into the same archive",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir(packFiles());
    await using saved = await tempDir();
    await using server = startTestServer(dir.path);
    const expected = await archiveOf(server.href(ARCHIVE));
    await using proxy = startCuttingProxy(Number(new URL(server.url).port), async () => {});
    await using browser = await launchBrowser();
    const page = await browser.newPage();

    const result = await download(page, saved.path, `http://127.0.0.1:${proxy.port}${ARCHIVE}`);
    const cutAt = await deadline(proxy.cutAt, "the proxy to cut the first archive");
    const seen = archiveExchanges(proxy);
    const log = `${describe(seen)}\nstates: ${result.states.join(" → ")}`;
    assertEquals(result.final.state, "completed", log);
    assertEquals(seen.length, 2, log);
    const [first, resume] = seen;

    // The cut answer: the whole archive, resumable, with a strong ETag.
    assertEquals(first.request.get("range"), null, log);
    assertEquals(first.status, 200, log);
    assertEquals(first.response.get("content-length"), String(expected.length), log);
    assertEquals(first.response.get("accept-ranges"), "bytes", log);
    const etag = first.response.get("etag");
    assertMatch(etag ?? "", /^"zip-[^"]+"$/, log);
    assertOk(cutAt > 0 && cutAt < expected.length, log);

    // Chromium's resume: the rest from where the cut left it, tied to that ETag.
    assertEquals(resume.request.get("range"), `bytes=${cutAt}-`, log);
    assertEquals(resume.request.get("if-range"), etag, log);
    assertEquals(resume.status, 206, log);
    assertEquals(
      resume.response.get("content-range"),
      `bytes ${cutAt}-${expected.length - 1}/${expected.length}`,
      log,
    );
    assertEquals(resume.response.get("etag"), etag, log);

    const path = `${saved.path}/${result.guid}`;
    const file = await Deno.readFile(path);
    assertEquals(file.length, expected.length);
    assertOk(file.every((byte, i) => byte === expected[i]), "the download is the fetched archive");
    const unzip = await unzipTest(path);
    assertOk(unzip.ok, unzip.output);
  },
});

Deno.test({
  name: "serveArchive() answers Chromium's resume of a changed folder with the new archive whole",
  ...BROWSER_TEST,
  async fn() {
    await using dir = await tempDir(packFiles());
    await using saved = await tempDir();
    await using server = startTestServer(dir.path);
    const before = await archiveOf(server.href(ARCHIVE));
    // At the cut, a.bin (already downloaded) gets new bytes of the same size and a new mtime.
    const changed = `${dir.path}/pack/a.bin`;
    await using proxy = startCuttingProxy(Number(new URL(server.url).port), async () => {
      await Deno.writeFile(changed, fixtureBytes(1024 * 1024, 99));
      await Deno.utime(changed, new Date(), new Date(Date.UTC(2026, 0, 1)));
    });
    await using browser = await launchBrowser();
    const page = await browser.newPage();

    const result = await download(page, saved.path, `http://127.0.0.1:${proxy.port}${ARCHIVE}`);
    const cutAt = await deadline(proxy.cutAt, "the proxy to cut the first archive");
    const after = await archiveOf(server.href(ARCHIVE));
    const seen = archiveExchanges(proxy);
    const log = `${describe(seen)}\nstates: ${result.states.join(" → ")}`;

    // The old archive's head on the new one's tail is what must never happen;
    // it differs from the new archive, so the checks below would catch it.
    assertEquals(after.length, before.length);
    const splice = concat(before.subarray(0, cutAt), after.subarray(cutAt));
    assertNotEquals(splice, after);

    const [first, resume] = seen;
    assertOk(resume, log);
    const oldTag = first.response.get("etag");
    assertEquals(first.status, 200, log);
    assertEquals(resume.request.get("range"), `bytes=${cutAt}-`, log);
    assertEquals(resume.request.get("if-range"), oldTag, log);
    // The old ETag no longer matches: the whole new archive, never a part of it.
    assertEquals(resume.status, 200, log);
    assertNotEquals(resume.response.get("etag"), oldTag, log);
    assertOk(seen.every((e) => e.status !== 206), log);

    const path = `${saved.path}/${result.guid}`;
    if (result.final.state === "canceled") return; // Safe: nothing was spliced into a file.
    assertEquals(result.final.state, "completed", log);
    const file = await Deno.readFile(path);
    assertEquals(file.length, after.length, log);
    assertOk(file.every((byte, i) => byte === after[i]), "the download is the new archive");
    const unzip = await unzipTest(path);
    assertOk(unzip.ok, unzip.output);
  },
});
