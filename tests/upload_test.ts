import { createHash } from "node:crypto";
import { FileWriter } from "../src/fs/file_writer.ts";
import { HttpError } from "../src/http/http_error.ts";
import { assertEquals, assertMatch, assertOk, assertRejects } from "./helpers/assert.ts";
import { connectRaw, startUpload } from "./helpers/raw_http.ts";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";

const MiB = 1024 * 1024;
const text = (s: string) => new TextEncoder().encode(s);

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("base64");
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/** Names of leftover temporary upload files anywhere under `dir`. */
function tempFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.name.startsWith(".sluice-upload-")) found.push(entry.name);
    if (entry.isDirectory) found.push(...tempFiles(`${dir}/${entry.name}`));
  }
  return found;
}

/** Resolves with the reason of the next upload failure, after its cleanup. */
function nextUploadFailure(server: TestServer): Promise<string> {
  return new Promise((resolve) => {
    server.metrics.addEventListener(
      "upload-failed",
      (event) => resolve((event as CustomEvent<string>).detail),
      { once: true },
    );
  });
}

async function put(
  server: TestServer,
  path: string,
  body: BodyInit | null,
  headers: HeadersInit = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(server.href(path), {
    method: "PUT",
    body,
    headers,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function chunks(...parts: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(parts.map(text));
}

Deno.test("upload() creates a file with 201, Location, ETag and Repr-Digest", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { upload: true });
  const res = await put(server, "/new%20dir/h%C3%A9llo.txt", "hello");
  assertEquals(res.status, 201);
  assertEquals(res.headers.get("location"), "/new%20dir/h%C3%A9llo.txt");
  assertEquals(res.headers.get("repr-digest"), `sha-256=:${sha256("hello")}:`);
  const get = await fetch(server.href("/new%20dir/h%C3%A9llo.txt"));
  assertEquals(await get.text(), "hello");
  assertEquals(get.headers.get("etag"), res.headers.get("etag"));
  assertEquals(await Deno.readTextFile(`${dir.path}/new dir/héllo.txt`), "hello");
});

Deno.test("upload() replaces a file with 204 and readers see the new bytes", async () => {
  await using dir = await tempDir({ "a.txt": "old" });
  await using server = startTestServer(dir.path, { upload: true });
  assertEquals(await (await fetch(server.href("/a.txt"))).text(), "old");
  const res = await put(server, "/a.txt", chunks("ne", "w!"));
  assertEquals(res.status, 204);
  assertEquals(await (await fetch(server.href("/a.txt"))).text(), "new!");
  assertEquals(tempFiles(dir.path), []);
});

Deno.test("upload() stores a 300 MiB streamed body exactly while server RSS stays flat", async () => {
  await using dir = await tempDir();
  const main = new URL("../main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, dir.path, "--port", "0", "--upload", "--quiet"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("\n")) out += (await reader.read()).value ?? "";
    reader.releaseLock();
    const drained = child.stdout.pipeTo(new WritableStream()).catch(() => {});
    const url = /(http:\/\/\S+)/.exec(out)![1];
    // Deno wants --allow-all to read /proc directly; `cat` needs only --allow-run.
    const kib = async (field: string) => {
      const status = await new Deno.Command("cat", { args: [`/proc/${child.pid}/status`] })
        .output();
      const text = new TextDecoder().decode(status.stdout);
      return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)![1]);
    };
    const rssBefore = await kib("VmRSS");

    // Raw chunked HTTP/1.1: Deno's fetch streams request bodies slowly here.
    const total = 300 * MiB;
    const pattern = new Uint8Array(MiB).map((_, i) => (i * 7 + (i >> 13)) & 0xff);
    const hash = createHash("sha256");
    using conn = await connectRaw(url);
    await conn.write("PUT /big.bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (let sent = 0; sent < total; sent += MiB) {
      const chunk = pattern.slice();
      chunk[0] = (sent / MiB) & 0xff; // every MiB differs
      hash.update(chunk);
      await conn.write(`${MiB.toString(16)}\r\n`);
      await conn.write(chunk);
      await conn.write("\r\n");
    }
    await conn.write("0\r\n\r\n");
    const res = await conn.readFinal();
    assertEquals(res.status, 201);
    const expected = hash.digest();
    assertEquals(res.headers.get("repr-digest"), `sha-256=:${expected.toString("base64")}:`);
    assertEquals(await fileSha256(`${dir.path}/big.bin`), expected.toString("hex"));
    const peakGrowthMiB = (await kib("VmHWM") - rssBefore) / 1024;
    console.log(`server peak RSS grew by ${peakGrowthMiB.toFixed(0)} MiB`);
    // Deno itself settles around +130 MiB while reading big bodies; buffering would add 300.
    assertOk(
      peakGrowthMiB < total / MiB / 2,
      `server peak RSS grew by ${peakGrowthMiB.toFixed(0)} MiB`,
    );
    child.kill("SIGTERM");
    await drained;
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await child.status;
  }
});

Deno.test("upload() keeps the old file and removes the temp file when the client hangs up", async (t) => {
  await using dir = await tempDir({ "a.txt": "old" });
  await using server = startTestServer(dir.path, { upload: true });

  await t.step("with Content-Length", async () => {
    const failed = nextUploadFailure(server);
    using conn = await startUpload(server.url, "PUT", "/a.txt", { "Content-Length": "1000000" });
    await conn.write(new Uint8Array(500_000));
    conn.close();
    assertEquals(await failed, "aborted");
    assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "old");
    assertEquals(tempFiles(dir.path), []);
  });

  await t.step("chunked, into a new folder", async () => {
    const failed = nextUploadFailure(server);
    using conn = await startUpload(server.url, "PUT", "/new/b.txt", {
      "Transfer-Encoding": "chunked",
    });
    await conn.write("5\r\nhello\r\n");
    conn.close();
    assertEquals(await failed, "aborted");
    assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name), ["a.txt"]);
  });
});

Deno.test("upload() answers 413 for a declared Content-Length over the limit before reading", async () => {
  await using dir = await tempDir({ "a.txt": "old" });
  await using server = startTestServer(dir.path, { upload: true, maxUpload: 1000 });
  using conn = await connectRaw(server.url);
  // The body is never sent: a server that started reading it would hang here.
  await conn.write(`PUT /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n`);
  const res = await conn.readFinal();
  assertEquals(res.status, 413);
  assertEquals(new TextDecoder().decode(res.body), "Upload too large\n");
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "old");
  assertEquals(tempFiles(dir.path), []);
  assertEquals(server.metrics.uploadFailures.get("limit"), 1);
});

Deno.test("upload() answers 413 as soon as an undeclared body outgrows the limit", async () => {
  await using dir = await tempDir({ "a.txt": "old" });
  await using server = startTestServer(dir.path, { upload: true, maxUpload: 1000 });
  const failed = nextUploadFailure(server);
  using conn = await startUpload(server.url, "PUT", "/a.txt", { "Transfer-Encoding": "chunked" });
  await conn.write("3e8\r\n" + "x".repeat(1000) + "\r\n"); // exactly the limit: fine
  await conn.write("1\r\ny\r\n"); // one byte more; the body is not finished
  const res = await conn.readFinal();
  assertEquals(res.status, 413);
  assertEquals(await failed, "limit");
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "old");
  assertEquals(tempFiles(dir.path), []);
});

Deno.test("upload() accepts a body of exactly the limit", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { upload: true, maxUpload: 10 });
  assertEquals((await put(server, "/ten", "0123456789")).status, 201);
  assertEquals((await put(server, "/eleven", chunks("01234", "567890"))).status, 413);
  assertEquals(tempFiles(dir.path), []);
});

Deno.test("upload() verifies declared digests and replaces nothing on a mismatch", async (t) => {
  await using dir = await tempDir({ "a.txt": "old" });
  await using server = startTestServer(dir.path, { upload: true });
  const md5 = (s: string) => createHash("md5").update(s).digest("base64");
  const cases: [string, Record<string, string>, number][] = [
    ["a wrong Repr-Digest", { "repr-digest": `sha-256=:${sha256("other")}:` }, 400],
    ["a wrong Content-Digest", { "content-digest": `sha-256=:${sha256("other")}:` }, 400],
    ["a wrong Content-MD5", { "content-md5": md5("other") }, 400],
    ["a malformed Content-Digest", { "content-digest": "sha-256=abc" }, 400],
    ["a right Content-Digest and Content-MD5", {
      "content-digest": `sha-512=:${
        createHash("sha512").update("new").digest("base64")
      }:, sha-256=:${sha256("new")}:`,
      "content-md5": md5("new"),
    }, 204],
  ];
  for (const [name, headers, status] of cases) {
    await t.step(`${name} → ${status}`, async () => {
      const res = await put(server, "/a.txt", chunks("n", "ew"), headers);
      assertEquals(res.status, status, res.text);
      const expected = status === 204 ? "new" : "old";
      assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), expected);
      assertEquals(tempFiles(dir.path), []);
    });
  }
  assertEquals(server.metrics.uploadFailures.get("digest"), 3);
});

Deno.test("upload() leaves one complete body when PUTs to one path overlap", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { upload: true });
  const size = 256 * 1024;
  const bodies = ["a", "b", "c"].map((c) => text(c.repeat(size)));
  const conns = await Promise.all(
    bodies.map(() =>
      startUpload(server.url, "PUT", "/same.bin", { "Content-Length": String(size) })
    ),
  );
  try {
    // Interleave the three bodies in 16 KiB pieces; all three are being written at once.
    for (let offset = 0; offset < size; offset += 16 * 1024) {
      for (const [i, conn] of conns.entries()) {
        await conn.write(bodies[i].subarray(offset, offset + 16 * 1024));
      }
    }
    const statuses = [];
    for (const conn of conns) statuses.push((await conn.readFinal()).status);
    assertEquals(statuses.filter((s) => s === 201).length, 1);
    assertEquals(statuses.filter((s) => s === 204).length, 2);
    const stored = await Deno.readFile(`${dir.path}/same.bin`);
    assertEquals(stored.length, size);
    assertOk(bodies.some((b) => b.every((byte, i) => byte === stored[i])), "a mix of bodies");
    assertEquals(tempFiles(dir.path), []);
  } finally {
    for (const conn of conns) conn.close();
  }
});

Deno.test("upload() lets only one of two racing If-None-Match: * creations win", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { upload: true });
  const headers = { "If-None-Match": "*", "Content-Length": "5" };
  // Both pass the early check (the file does not exist yet) and start writing.
  using first = await startUpload(server.url, "PUT", "/once.txt", headers);
  using second = await startUpload(server.url, "PUT", "/once.txt", headers);
  await first.write("first");
  assertEquals((await first.readFinal()).status, 201);
  await second.write("secnd");
  assertEquals((await second.readFinal()).status, 412);
  assertEquals(await Deno.readTextFile(`${dir.path}/once.txt`), "first");
  assertEquals(tempFiles(dir.path), []);
});

Deno.test("upload() lets only one of two racing If-Match replacements win", async () => {
  await using dir = await tempDir({ "a.txt": "v1" });
  await using server = startTestServer(dir.path, { upload: true });
  const head = await fetch(server.href("/a.txt"), { method: "HEAD" });
  await head.body?.cancel();
  const etag = head.headers.get("etag")!;
  const headers = { "If-Match": etag, "Content-Length": "2" };
  using first = await startUpload(server.url, "PUT", "/a.txt", headers);
  using second = await startUpload(server.url, "PUT", "/a.txt", headers);
  await second.write("v2");
  const won = await second.readFinal();
  assertEquals(won.status, 204);
  assertOk(won.headers.get("etag") !== etag);
  await first.write("v3");
  assertEquals((await first.readFinal()).status, 412);
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "v2");
  assertEquals(server.metrics.uploadFailures.get("precondition"), 1);
});

Deno.test("upload() checks preconditions before reading the body", async (t) => {
  await using dir = await tempDir({ "a.txt": "v1" });
  await using server = startTestServer(dir.path, { upload: true });
  const cases: [string, string, Record<string, string>, number][] = [
    ["If-None-Match: * on an existing file", "/a.txt", { "if-none-match": "*" }, 412],
    ["a stale If-Match", "/a.txt", { "if-match": '"nope"' }, 412],
    ["If-Match on a missing file", "/b.txt", { "if-match": "*" }, 412],
    ["If-None-Match: * on a missing file", "/c.txt", { "if-none-match": "*" }, 201],
    ["If-Match: * on an existing file", "/a.txt", { "if-match": "*" }, 204],
  ];
  for (const [name, path, headers, status] of cases) {
    await t.step(`${name} → ${status}`, async () => {
      assertEquals((await put(server, path, "v2", headers)).status, status);
    });
  }
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "v2");
});

Deno.test("FileWriter.write() runs the commit guard against what exists at rename time", async () => {
  await using dir = await tempDir();
  const writer = new FileWriter(Deno.realPathSync(dir.path));
  const target = writer.locate(["race.txt"]);
  const seen: (number | null)[] = [];
  const createOnly = (current: { size: number } | null) => {
    seen.push(current?.size ?? null);
    if (current !== null) throw new HttpError(412, "Precondition failed");
  };
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const slow = ReadableStream.from((async function* () {
    yield text("slow");
    await gate;
  })());
  const slowWrite = writer.write(target, slow, createOnly);
  const fast = await writer.write(target, ReadableStream.from([text("fast!")]), createOnly);
  assertEquals(fast.created, true);
  release();
  await assertRejects(() => slowWrite, HttpError);
  assertEquals(seen, [null, 5]);
  assertEquals(await Deno.readTextFile(`${dir.path}/race.txt`), "fast!");
  assertEquals(tempFiles(dir.path), []);
});

Deno.test("upload() creates folders with PUT /dir/", async (t) => {
  await using dir = await tempDir({ "a.txt": "x" });
  await using server = startTestServer(dir.path, { upload: true });
  const cases: [string, string, BodyInit | null, Record<string, string>, number][] = [
    ["a new nested folder", "/n%C3%A9w/deep/", null, {}, 201],
    ["an existing folder", "/n%C3%A9w/", null, {}, 204],
    ["an existing folder with If-None-Match: *", "/n%C3%A9w/", null, { "if-none-match": "*" }, 412],
    ["a folder where a file is", "/a.txt/", null, {}, 409],
    ["a folder below a file", "/a.txt/sub/", null, {}, 409],
    ["a folder with a body", "/withbody/", "data", {}, 400],
    ["a folder with a chunked body", "/withbody/", chunks("da", "ta"), {}, 400],
  ];
  for (const [name, path, body, headers, status] of cases) {
    await t.step(`${name} → ${status}`, async () => {
      const res = await put(server, path, body, headers);
      assertEquals(res.status, status, res.text);
      if (status === 201) assertEquals(res.headers.get("location"), path);
    });
  }
  assertOk(Deno.statSync(`${dir.path}/néw/deep`).isDirectory);
  assertEquals(Deno.statSync(`${dir.path}/a.txt`).isFile, true);
  assertOk(!(await Deno.stat(`${dir.path}/withbody`).catch(() => null)));
});

Deno.test("upload() refuses targets that are folders, under files, hidden or invalid", async (t) => {
  await using dir = await tempDir({ "a.txt": "x", "sub/b.txt": "y" });
  await Deno.symlink("/tmp", `${dir.path}/out`);
  await Deno.symlink("sub", `${dir.path}/in`);
  await using server = startTestServer(dir.path, { upload: true });
  const cases: [string, number][] = [
    ["/sub", 409],
    ["/a.txt/b.txt", 409],
    ["/a.txt/deeper/b.txt", 409],
    ["/.hidden", 400],
    ["/sub/.git/config", 400],
    ["/.sluice-upload-123", 400],
    ["/a%2Fb", 400],
    ["/bad%0Aname", 400],
    [`/${"n".repeat(256)}`, 400],
    ["/out/escape.txt", 409],
    ["/in/through-link.txt", 201],
  ];
  for (const [path, status] of cases) {
    await t.step(`${path.slice(0, 40)} → ${status}`, async () => {
      assertEquals((await put(server, path, "z")).status, status);
    });
  }
  assertEquals(await Deno.readTextFile(`${dir.path}/sub/through-link.txt`), "z");
  assertOk(!(await Deno.stat("/tmp/escape.txt").catch(() => null)));
  assertEquals(tempFiles(dir.path), []);
});

Deno.test("upload() writes dot-entries with --dotfiles but never Sluice's temp names", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { upload: true, dotfiles: true });
  assertEquals((await put(server, "/.env", "A=1")).status, 201);
  assertEquals((await put(server, "/.sluice-upload-x", "A=1")).status, 400);
});

Deno.test("upload() rejects compressed bodies it would store undecoded", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { upload: true });
  assertEquals((await put(server, "/a.gz", "x", { "content-encoding": "gzip" })).status, 415);
});

Deno.test("createApp() answers PUT and DELETE with 405 and Allow unless --upload", async () => {
  await using dir = await tempDir({ "a.txt": "x" });
  await using readOnly = startTestServer(dir.path);
  for (const method of ["PUT", "DELETE"]) {
    const res = await fetch(readOnly.href("/a.txt"), {
      method,
      body: method === "PUT" ? "y" : null,
    });
    await res.body?.cancel();
    assertEquals(res.status, 405);
    assertEquals(res.headers.get("allow"), "GET, HEAD, PROPFIND, OPTIONS");
  }
  await using writable = startTestServer(dir.path, { upload: true });
  const options = await fetch(writable.href("/a.txt"), { method: "OPTIONS" });
  await options.body?.cancel();
  assertEquals(
    options.headers.get("allow"),
    "GET, HEAD, PROPFIND, PUT, DELETE, MOVE, COPY, PROPPATCH, LOCK, UNLOCK, OPTIONS",
  );
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "x");
});

Deno.test("deleteEntry() removes files and folders as asked", async (t) => {
  await using dir = await tempDir({
    "a.txt": "x",
    "full/inner/b.txt": "y",
    "kept.txt": "k",
  });
  await Deno.mkdir(`${dir.path}/empty`);
  await Deno.symlink("full", `${dir.path}/link`);
  await using server = startTestServer(dir.path, { upload: true });
  const cases: [string, string, Record<string, string>, number][] = [
    ["a file", "/a.txt", {}, 204],
    ["a file again", "/a.txt", {}, 404],
    ["an empty folder", "/empty/", {}, 204],
    ["a full folder with Depth: 0", "/full", { depth: "0" }, 409],
    ["a full folder with ?recursive=0", "/full?recursive=0", {}, 409],
    ["a full folder with Depth: 1", "/full", { depth: "1" }, 400],
    ["a full folder with ?recursive=no (not guessed)", "/full?recursive=no", {}, 400],
    ["a full folder with ?recursive=off", "/full?recursive=off", {}, 400],
    ["a link to a folder (only the link)", "/link", {}, 204],
    ["a full folder (Depth: infinity is the default)", "/full", {}, 204],
    ["a file with a stale If-Match", "/kept.txt", { "if-match": '"stale"' }, 412],
    ["a file with a trailing slash", "/kept.txt/", {}, 404],
    ["ROOT", "/", {}, 403],
    ["a hidden name", "/.x", {}, 400],
  ];
  for (const [name, path, headers, status] of cases) {
    await t.step(`${name} → ${status}`, async () => {
      const res = await fetch(server.href(path), { method: "DELETE", headers });
      await res.body?.cancel();
      assertEquals(res.status, status);
    });
  }
  assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name), ["kept.txt"]);
});

Deno.test("FileWriter.write() removes the temp file and new parents when the disk fails", async () => {
  await using dir = await tempDir({ "a.txt": "old" });
  const full = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  let opened: Deno.FsFile | null = null;
  const writer = new FileWriter(Deno.realPathSync(dir.path), {
    openTemp: async (path) => {
      opened = await Deno.open(path, { write: true, createNew: true });
      const file = opened;
      let writes = 0;
      return {
        // The first 1 MiB batch lands on disk, the second fails.
        write: (bytes: Uint8Array) => writes++ === 0 ? file.write(bytes) : Promise.reject(full),
        sync: () => file.sync(),
        syncData: () => file.syncData(),
        stat: () => file.stat(),
        close: () => file.close(),
      };
    },
  });
  const body = () =>
    ReadableStream.from((function* () {
      for (let i = 0; i < 4; i++) yield new Uint8Array(MiB);
    })());
  for (const segments of [["a.txt"], ["new", "deep", "b.txt"]]) {
    const error = await writer.write(writer.locate(segments), body(), () => {}).catch((e) => e);
    assertEquals(error, full);
    assertOk(opened !== null);
  }
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "old");
  assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name), ["a.txt"]);
});

Deno.test("upload() counts against the client's --max-streams allowance", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { upload: true, maxStreams: 1 });
  using first = await startUpload(server.url, "PUT", "/one.txt", { "Content-Length": "3" });
  const refused = await put(server, "/two.txt", "two");
  assertEquals(refused.status, 429);
  await first.write("one");
  assertEquals((await first.readFinal()).status, 201);
  assertEquals((await put(server, "/two.txt", "two")).status, 201);
});

Deno.test("upload() lets readers see the old file until the new one is complete", async () => {
  await using dir = await tempDir({ "a.txt": "old" });
  await using server = startTestServer(dir.path, { upload: true });
  const size = 4 * MiB;
  using conn = await startUpload(server.url, "PUT", "/a.txt", { "Content-Length": String(size) });
  await conn.write(new Uint8Array(size / 2).fill(0x6e));
  assertEquals(await (await fetch(server.href("/a.txt"))).text(), "old");
  await conn.write(new Uint8Array(size / 2).fill(0x6e));
  assertEquals((await conn.readFinal()).status, 204);
  const after = await fetch(server.href("/a.txt"));
  assertEquals((await after.bytes()).length, size);
});

Deno.test("upload() stores an empty body as an empty file", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { upload: true });
  const res = await put(server, "/empty.txt", "");
  assertEquals(res.status, 201);
  assertEquals(res.headers.get("repr-digest"), `sha-256=:${sha256("")}:`);
  assertEquals(Deno.statSync(`${dir.path}/empty.txt`).size, 0);
});

Deno.test("deleteEntry() ?recursive never deletes entries the client cannot see", async (t) => {
  await using dir = await tempDir({
    "proj/.git/HEAD": "ref",
    "proj/src/a.ts": "a",
    "busy/.sluice-upload-123": "partial",
    "plain/x/y.txt": "y",
  });
  await t.step("hidden dot-entries (no --dotfiles) → 409, nothing deleted", async () => {
    await using server = startTestServer(dir.path, { upload: true });
    const res = await fetch(server.href("/proj/?recursive"), { method: "DELETE" });
    assertEquals(res.status, 409);
    assertMatch(await res.text(), /hidden entries/);
    assertEquals(await Deno.readTextFile(`${dir.path}/proj/src/a.ts`), "a");
  });
  await t.step("a running upload's temp file → 409 even with --dotfiles", async () => {
    await using server = startTestServer(dir.path, { upload: true, dotfiles: true });
    const res = await fetch(server.href("/busy/?recursive"), { method: "DELETE" });
    assertEquals(res.status, 409);
    await res.body?.cancel();
  });
  await t.step("with --dotfiles, dot-entries are visible and go too", async () => {
    await using server = startTestServer(dir.path, { upload: true, dotfiles: true });
    const res = await fetch(server.href("/proj/?recursive"), { method: "DELETE" });
    assertEquals(res.status, 204);
    await res.body?.cancel();
  });
  await t.step("a tree without hidden entries goes", async () => {
    await using server = startTestServer(dir.path, { upload: true });
    const res = await fetch(server.href("/plain?recursive"), { method: "DELETE" });
    assertEquals(res.status, 204);
    await res.body?.cancel();
  });
  assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name), ["busy"]);
});
