/**
 * Resumable uploads into drop boxes (`/_/s/<token>/_/uploads/`) against the
 * real server on port 0 with a real SQLite state store, driven by
 * `npm:tus-js-client` and by raw requests, without credentials under
 * `--auth`.
 * @module
 */
import { Buffer } from "node:buffer";
import * as tus from "tus-js-client";
import { parseAuth } from "../src/config/parse_config.ts";
import { BROWSER_TEST, openPage } from "./browser/browser.ts";
import * as pageScripts from "./browser/page_scripts.js";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { startStatefulServer, tempDir, type TestServer } from "./helpers/server.ts";
import {
  MemoryUrlStorage,
  resumeUpload,
  sha256Hex,
  testBytes,
  uploadUntil,
} from "./helpers/tus_client.ts";

const TUS = { "tus-resumable": "1.0.0" };
const ANN = { authorization: `Basic ${btoa("ann:pw")}` };

/** `Upload-Metadata` from plain fields. */
function meta(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${btoa(String.fromCharCode(...new TextEncoder().encode(v)))}`)
    .join(",");
}

/** A server under `--auth` with writes on, serving a fresh copy of `tree`. */
async function guardedServer(tree: Record<string, string>, overrides = {}) {
  const dir = await tempDir(tree);
  const server = await startStatefulServer(dir.path, {
    auth: [parseAuth("ann:pw")],
    upload: true,
    ...overrides,
  });
  return {
    root: dir.path,
    server,
    async [Symbol.asyncDispose]() {
      await server[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** Makes a drop box (as ann) and returns its id and resumable endpoint. */
async function dropBox(server: TestServer, body: Record<string, unknown>) {
  const res = await fetch(server.href("/_/api/shares"), {
    method: "POST",
    headers: { "content-type": "application/json", ...ANN },
    body: JSON.stringify({ mode: "upload", ...body }),
  });
  assertEquals(res.status, 201, await res.clone().text());
  const made = await res.json() as { id: string; url: string };
  return { id: made.id, url: made.url, endpoint: made.url + "_/uploads/" };
}

async function revoke(server: TestServer, id: string): Promise<void> {
  const res = await fetch(server.href(`/_/api/shares/${id}`), { method: "DELETE", headers: ANN });
  await res.body?.cancel();
  assertOk(res.ok, `revoke answered ${res.status}`);
}

/** A raw tus creation; returns the answer (body read). */
async function create(
  endpoint: string,
  length: number | null,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: {
      ...TUS,
      ...(length === null ? { "upload-defer-length": "1" } : { "upload-length": String(length) }),
      "upload-metadata": meta(fields),
      ...headers,
    },
  });
  await res.body?.cancel();
  return res;
}

async function send(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Response> {
  const res = await fetch(url, { method, headers: { ...TUS, ...headers }, body });
  await res.body?.cancel();
  return res;
}

function patch(url: string, offset: number, body: string, extra: Record<string, string> = {}) {
  return send(url, "PATCH", {
    "upload-offset": String(offset),
    "content-type": "application/offset+octet-stream",
    ...extra,
  }, body);
}

/** Uploads `data` with tus-js-client; resolves with the last answer's headers, rejects with its status. */
function tusUpload(
  data: Buffer,
  endpoint: string,
  metadata: Record<string, string>,
  chunkSize = 16 * 1024 * 1024,
  onChunk?: () => void,
): Promise<{ dropPath: string | null }> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint,
      metadata,
      chunkSize,
      retryDelays: null,
      storeFingerprintForResuming: false,
      onChunkComplete: onChunk,
      onSuccess: (payload) =>
        resolve({ dropPath: payload.lastResponse.getHeader("x-drop-path") ?? null }),
      onError: (error) => {
        const status = (error as tus.DetailedError).originalResponse?.getStatus();
        reject(new Error(`status ${status ?? "none"}: ${error.message}`));
      },
    } as tus.UploadOptions);
    upload.start();
  });
}

/** The status a tus-js-client upload failed with, or `null` when it succeeded. */
async function tusStatus(promise: Promise<unknown>): Promise<number | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return Number(/^status (\d+)/.exec((error as Error).message)?.[1] ?? 0);
  }
}

Deno.test("dropBoxUploads() takes tus-js-client uploads without credentials and numbers a taken name", async () => {
  await using s = await guardedServer({ "box/a.txt": "old", "top.txt": "top" });
  const box = await dropBox(s.server, { path: "/box/" });
  const data = testBytes(300_000);
  const first = await tusUpload(data, box.endpoint, { filename: "a.txt" });
  assertEquals(first.dropPath, "a%20(1).txt");
  assertEquals(sha256Hex(await Deno.readFile(`${s.root}/box/a (1).txt`)), sha256Hex(data));
  assertEquals(await Deno.readTextFile(`${s.root}/box/a.txt`), "old");
  const nested = await tusUpload(Buffer.from("n"), box.endpoint, { relativePath: "d/e.txt" });
  assertEquals(nested.dropPath, "d/e.txt");
  assertEquals(await Deno.readTextFile(`${s.root}/box/d/e.txt`), "n");
  // An empty file is stored at creation.
  const empty = await create(box.endpoint, 0, { filename: "a.txt" });
  assertEquals([empty.status, empty.headers.get("x-drop-path")], [201, "a%20(2).txt"]);
  assertEquals(await Deno.readTextFile(`${s.root}/box/a (2).txt`), "");
  // Nothing but Sluice's own entries was left behind.
  assertEquals([...Deno.readDirSync(`${s.root}/box`)].map((e) => e.name).sort(), [
    "a (1).txt",
    "a (2).txt",
    "a.txt",
    "d",
  ]);
});

Deno.test("dropBoxUploads() sessions are reachable only through their own drop box's link", async () => {
  await using s = await guardedServer({ "box/x": "", "other/y": "" });
  const box = await dropBox(s.server, { path: "/box/" });
  const other = await dropBox(s.server, { path: "/other/" });
  const made = await create(box.endpoint, 10, { filename: "f.txt" });
  assertEquals(made.status, 201);
  assertEquals(made.headers.get("x-drop-path"), "f.txt");
  const location = made.headers.get("location")!;
  assertOk(location.startsWith(new URL(box.endpoint).pathname), location);
  const url = new URL(location, s.server.url).href;
  const id = location.slice(location.lastIndexOf("/") + 1);
  assertEquals((await send(url, "HEAD")).headers.get("upload-offset"), "0");
  // Not at the users' endpoint (without or with credentials), nor through another link.
  assertEquals((await send(s.server.href(`/_/uploads/${id}`), "HEAD")).status, 401);
  assertEquals((await send(s.server.href(`/_/uploads/${id}`), "HEAD", ANN)).status, 404);
  assertEquals((await patch(s.server.href(`/_/uploads/${id}`), 0, "x", ANN)).status, 404);
  assertEquals((await send(other.endpoint + id, "HEAD")).status, 404);
  assertEquals((await send(other.endpoint + id, "DELETE")).status, 404);
  // An rw user's upload is not reachable through a drop box either.
  const mine = await create(s.server.href("/_/uploads/"), 3, { filename: "m.txt" }, ANN);
  assertEquals(mine.status, 201);
  const mineId = mine.headers.get("location")!.split("/").pop()!;
  assertEquals((await send(box.endpoint + mineId, "HEAD")).status, 404);
  assertEquals((await patch(box.endpoint + mineId, 0, "abc")).status, 404);
  // The users' endpoint still wants credentials.
  assertEquals((await create(s.server.href("/_/uploads/"), 3, { filename: "n.txt" })).status, 401);
  // The drop box's own upload finishes; its answer names no path under ROOT.
  const done = await patch(url, 0, "0123456789");
  assertEquals(done.status, 204);
  assertEquals(done.headers.get("content-location"), null);
  assertEquals(done.headers.get("x-drop-path"), "f.txt");
  assertEquals(await Deno.readTextFile(`${s.root}/box/f.txt`), "0123456789");
});

Deno.test("dropBoxUploads() refuses bad metadata with a precise 400", async (t) => {
  await using s = await guardedServer({ "box/x": "" });
  const box = await dropBox(s.server, { path: "/box/" });
  const rows: [string, Record<string, string>][] = [
    ["no name", {}],
    ["a folder", { filename: "a", folder: "/elsewhere/" }],
    ["replace", { filename: "a", onConflict: "replace" }],
    ["dot-dot", { relativePath: "../a" }],
    ["slash in filename", { filename: "a/b" }],
    ["temp name", { filename: ".sluice-tus-0123" }],
  ];
  for (const [label, fields] of rows) {
    await t.step(label, async () => {
      assertEquals((await create(box.endpoint, 1, fields)).status, 400);
    });
  }
  await t.step("onConflict fail is fine", async () => {
    assertEquals(
      (await create(box.endpoint, 1, { filename: "a", onConflict: "fail" })).status,
      201,
    );
  });
});

Deno.test("dropBoxUploads() keeps to the share's byte limit, also against a client that sends more than declared", async () => {
  await using s = await guardedServer({ "box/x": "" });
  const box = await dropBox(s.server, { path: "/box/", maxBytes: 100 });
  const oversize = tusUpload(Buffer.alloc(101, 1), box.endpoint, { filename: "big.bin" });
  assertEquals(await tusStatus(oversize), 413);
  // Declares 10, sends 20: refused, nothing stored.
  const liar = await create(box.endpoint, 10, { filename: "liar.bin" });
  assertEquals(liar.status, 201);
  const liarUrl = new URL(liar.headers.get("location")!, s.server.url).href;
  assertEquals((await patch(liarUrl, 0, "x".repeat(20))).status, 413);
  assertEquals((await send(liarUrl, "HEAD")).headers.get("upload-offset"), "0");
  // A deferred length cannot pass the room left (90: the liar's 10 is still counted).
  const deferred = await create(box.endpoint, null, { filename: "later.bin" });
  assertEquals(deferred.status, 201);
  const deferredUrl = new URL(deferred.headers.get("location")!, s.server.url).href;
  assertEquals((await patch(deferredUrl, 0, "y", { "upload-length": "200" })).status, 413);
  assertEquals((await patch(deferredUrl, 0, "y".repeat(91))).status, 413);
  assertEquals((await send(deferredUrl, "DELETE")).status, 204);
  // Terminating the liar gives its 10 bytes back: 100 fit exactly.
  assertEquals((await send(liarUrl, "DELETE")).status, 204);
  await tusUpload(Buffer.alloc(100, 2), box.endpoint, { filename: "fits.bin" });
  assertEquals((await Deno.stat(`${s.root}/box/fits.bin`)).size, 100);
  assertEquals(await tusStatus(tusUpload(Buffer.from("z"), box.endpoint, { filename: "z" })), 413);
  assertEquals([...Deno.readDirSync(`${s.root}/box`)].map((e) => e.name).sort(), ["fits.bin", "x"]);
});

Deno.test("dropBoxUploads() keeps to the share's file limit; a terminated upload frees its place", async () => {
  await using s = await guardedServer({ "box/x": "" });
  const box = await dropBox(s.server, { path: "/box/", maxFiles: 2 });
  await tusUpload(Buffer.from("one"), box.endpoint, { filename: "one.txt" });
  const pending = await create(box.endpoint, 5, { filename: "two.txt" });
  assertEquals(pending.status, 201);
  assertEquals(await tusStatus(tusUpload(Buffer.from("3"), box.endpoint, { filename: "3" })), 403);
  const url = new URL(pending.headers.get("location")!, s.server.url).href;
  assertEquals((await send(url, "DELETE")).status, 204);
  assertEquals((await send(url, "DELETE")).status, 404);
  await tusUpload(Buffer.from("two"), box.endpoint, { filename: "two.txt" });
  assertEquals(await tusStatus(tusUpload(Buffer.from("3"), box.endpoint, { filename: "3" })), 403);
  assertEquals(await Deno.readTextFile(`${s.root}/box/two.txt`), "two");
});

Deno.test("dropBoxUploads() stops an upload in progress once its share is revoked", async () => {
  await using s = await guardedServer({ "box/x": "" });
  const box = await dropBox(s.server, { path: "/box/" });
  let revoked: Promise<void> | null = null;
  const upload = tusUpload(
    testBytes(1 << 20),
    box.endpoint,
    { filename: "cut.bin" },
    64 * 1024,
    () => {
      revoked ??= revoke(s.server, box.id);
    },
  );
  assertEquals(await tusStatus(upload), 404);
  await revoked;
  // Only the unfinished upload's temp file is there (the sweeper removes it).
  const names = [...Deno.readDirSync(`${s.root}/box`)].map((e) => e.name).filter((n) => n !== "x");
  assertEquals(names.length, 1);
  assertOk(names[0].startsWith(".sluice-tus-"), names[0]);
});

Deno.test("dropBoxUploads() refuses appends once the share is revoked (raw)", async () => {
  await using s = await guardedServer({ "box/x": "" });
  const box = await dropBox(s.server, { path: "/box/" });
  const made = await create(box.endpoint, 6, { filename: "r.txt" });
  const url = new URL(made.headers.get("location")!, s.server.url).href;
  assertEquals((await patch(url, 0, "abc")).status, 204);
  await revoke(s.server, box.id);
  assertEquals((await patch(url, 3, "def")).status, 404);
  assertEquals((await send(url, "HEAD")).status, 404);
  assertOk(!(await Deno.stat(`${s.root}/box/r.txt`).catch(() => null)));
});

for (const protocol of ["tus-v1", "ietf-draft-05"] as const) {
  Deno.test(`dropBoxUploads() resumes an upload aborted at half (${protocol}); the file ends byte-exact`, async () => {
    await using s = await guardedServer({ "box/x": "" });
    const box = await dropBox(s.server, { path: "/box/", maxBytes: 4 << 20 });
    const data = testBytes(2 << 20);
    const o = {
      endpoint: box.endpoint,
      storage: new MemoryUrlStorage(),
      metadata: { filename: "x" },
      chunkSize: 256 * 1024,
      protocol,
    };
    const url = await uploadUntil(data, 0.5, o);
    assertEquals(await resumeUpload(data, o), url);
    assertEquals(sha256Hex(await Deno.readFile(`${s.root}/box/x (1)`)), sha256Hex(data));
    assertEquals(await Deno.readTextFile(`${s.root}/box/x`), "");
  });
}

Deno.test("dropBoxUploads() asks a protected drop box's password (header or cookie)", async () => {
  await using s = await guardedServer({ "box/x": "" });
  const box = await dropBox(s.server, { path: "/box/", password: "open sesame" });
  assertEquals((await create(box.endpoint, 1, { filename: "p" })).status, 401);
  const wrong = { "x-share-password": "nope" };
  assertEquals((await create(box.endpoint, 1, { filename: "p" }, wrong)).status, 401);
  const right = { "x-share-password": "open sesame" };
  const made = await create(box.endpoint, 1, { filename: "p" }, right);
  assertEquals(made.status, 201);
  const url = new URL(made.headers.get("location")!, s.server.url).href;
  assertEquals((await patch(url, 0, "!")).status, 401);
  // The cookie the password form sets works too.
  const form = await fetch(box.url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "password=open+sesame",
    redirect: "manual",
  });
  await form.body?.cancel();
  const cookie = form.headers.get("set-cookie")!.split(";")[0];
  assertEquals((await patch(url, 0, "!", { cookie })).status, 204);
  assertEquals(await Deno.readTextFile(`${s.root}/box/p`), "!");
});

Deno.test("UploadSweeper gives an expired drop-box upload's place back to its share", async () => {
  await using s = await guardedServer({ "box/x": "" }, { uploadExpiry: 300 });
  const box = await dropBox(s.server, { path: "/box/", maxFiles: 1, maxBytes: 10 });
  const expired = new Promise((resolve) => {
    s.server.metrics.addEventListener("upload-expired", resolve, { once: true });
  });
  const made = await create(box.endpoint, 10, { filename: "slow.bin" });
  assertEquals(made.status, 201);
  assertEquals((await create(box.endpoint, 1, { filename: "more" })).status, 403);
  await expired;
  // Its name is free again too: no `slow (1).bin`.
  const again = await create(box.endpoint, 10, { filename: "slow.bin" });
  assertEquals(again.status, 201);
  assertEquals(again.headers.get("x-drop-path"), "slow.bin");
});

Deno.test("dropBoxUploads() refuses appends once the share has expired", async () => {
  await using s = await guardedServer({ "box/x": "" });
  const expiresAt = Date.now() + 1500;
  const box = await dropBox(s.server, {
    path: "/box/",
    expires: new Date(expiresAt).toISOString(),
  });
  const made = await create(box.endpoint, 6, { filename: "e.txt" });
  assertEquals(made.status, 201);
  const url = new URL(made.headers.get("location")!, s.server.url).href;
  assertEquals((await patch(url, 0, "abc")).status, 204);
  await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 50));
  assertEquals((await patch(url, 3, "def")).status, 410);
  assertOk(!(await Deno.stat(`${s.root}/box/e.txt`).catch(() => null)));
});

Deno.test({
  name: "dropbox.js pauses and resumes a drop-box upload and shows the name the server chose",
  ...BROWSER_TEST,
  async fn() {
    const data = testBytes(8 * 1024 * 1024);
    await using files = await tempDir({ "clip.bin": data });
    await using s = await guardedServer({ "box/clip.bin": "taken" });
    const box = await dropBox(s.server, { path: "/box/" });
    await using tab = await openPage(box.url);
    const { page, errors } = tab;
    await page.waitForSelector("#drop-choose");
    await page.emulateNetworkConditions({ download: -1, upload: 2 * 1024 * 1024, latency: 0 });
    const input = await page.$("#drop-input");
    assertOk(input);
    await input.uploadFile(`${files.path}/clip.bin`);
    const item = 'li.upload-item[data-name="clip.bin"]';
    await page.waitForFunction(
      `(() => { const p = document.querySelector('${item} progress'); return p && p.value > 0.25 * p.max; })()`,
      { timeout: 60_000 },
    );
    await page.click(`${item} button.upload-pause`);
    await page.waitForSelector(`${item}[data-state="paused"]`);
    assertOk(await page.evaluate(pageScripts.textMatches, `${item} .upload-status`, "^Paused at"));
    await page.emulateNetworkConditions({ download: -1, upload: -1, latency: 0 });
    await page.click(`${item} button.upload-pause`);
    await page.waitForSelector(`${item}[data-state="done"]`, { timeout: 60_000 });
    assertOk(
      await page.evaluate(
        pageScripts.textMatches,
        `${item} .upload-status`,
        "^Sent as clip \\(1\\)\\.bin",
      ),
    );
    assertEquals(sha256Hex(await Deno.readFile(`${s.root}/box/clip (1).bin`)), sha256Hex(data));
    assertEquals(await Deno.readTextFile(`${s.root}/box/clip.bin`), "taken");
    assertEquals(errors, []);
  },
});
