import { createHash } from "node:crypto";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { startUpload } from "./helpers/raw_http.ts";
import { startStatefulServer, tempDir, type TestServer } from "./helpers/server.ts";

const TUS = { "tus-resumable": "1.0.0" };
const APPEND = { ...TUS, "content-type": "application/offset+octet-stream" };

function meta(fields: Record<string, string>): string {
  const encode = (v: string) => btoa(String.fromCharCode(...new TextEncoder().encode(v)));
  return Object.entries(fields).map(([k, v]) => `${k} ${encode(v)}`).join(",");
}

/** Creates a tus upload; returns its absolute URL. */
async function create(
  server: TestServer,
  length: number,
  fields: Record<string, string> = { filename: "a.txt" },
): Promise<string> {
  const res = await fetch(server.href("/_/uploads/"), {
    method: "POST",
    headers: { ...TUS, "upload-length": String(length), "upload-metadata": meta(fields) },
  });
  await res.body?.cancel();
  assertEquals(res.status, 201);
  return new URL(res.headers.get("location")!, server.url).href;
}

async function patch(
  url: string,
  offset: number,
  body: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const res = await fetch(url, {
    method: "PATCH",
    headers: { ...APPEND, "upload-offset": String(offset), ...headers },
    body,
  });
  await res.body?.cancel();
  return res;
}

async function offsetOf(url: string): Promise<number | null> {
  const res = await fetch(url, { method: "HEAD", headers: TUS });
  return res.ok ? Number(res.headers.get("upload-offset")) : null;
}

function temps(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.startsWith(".sluice-tus-"));
}

async function withServer(
  fn: (server: TestServer, root: string) => Promise<void>,
  overrides = {},
): Promise<void> {
  await using root = await tempDir();
  await using server = await startStatefulServer(root.path, { upload: true, ...overrides });
  await fn(server, root.path);
}

Deno.test("uploadOptions() announces tus 1.0.0, its extensions and the size limit", async () => {
  await withServer(async (server) => {
    const res = await fetch(server.href("/_/uploads/"), { method: "OPTIONS" });
    await res.body?.cancel();
    assertEquals(res.status, 204);
    assertEquals(res.headers.get("tus-version"), "1.0.0");
    assertEquals(res.headers.get("tus-max-size"), String(1024 ** 3));
    assertOk(res.headers.get("tus-extension")!.includes("checksum"));
    assertOk(res.headers.get("accept-patch")!.includes("application/partial-upload"));
  }, { maxUpload: 1024 ** 3 });
});

Deno.test("appendUpload() appends in parts, answers each offset and renames the file into place", async () => {
  await withServer(async (server, root) => {
    const url = await create(server, 10, {
      filename: "n.txt",
      folder: "/sub/",
      onConflict: "fail",
    });
    assertEquals(temps(root).length, 1);
    const first = await patch(url, 0, "01234");
    assertEquals(first.status, 204);
    assertEquals(first.headers.get("upload-offset"), "5");
    assertOk(first.headers.get("upload-expires")!.endsWith("GMT"));
    const last = await patch(url, 5, "56789");
    assertEquals(last.status, 204);
    assertEquals(last.headers.get("content-location"), "/sub/n.txt");
    assertEquals(await Deno.readTextFile(`${root}/sub/n.txt`), "0123456789");
    assertEquals(temps(root), []);
    assertEquals(await offsetOf(url), 10);
  });
});

Deno.test("appendUpload() answers 409 with the real offset when Upload-Offset does not match", async () => {
  await withServer(async (server) => {
    const url = await create(server, 10);
    assertEquals((await patch(url, 0, "abc")).status, 204);
    const res = await patch(url, 1, "bcd");
    assertEquals(res.status, 409);
    assertEquals(res.headers.get("upload-offset"), "3");
    assertEquals(await offsetOf(url), 3);
  });
});

Deno.test("appendUpload() answers 460 on a checksum mismatch and appends nothing", async () => {
  await withServer(async (server) => {
    const url = await create(server, 10);
    const bad = createHash("sha1").update("other").digest("base64");
    assertEquals((await patch(url, 0, "hello", { "upload-checksum": `sha1 ${bad}` })).status, 460);
    assertEquals(await offsetOf(url), 0);
    const good = createHash("sha256").update("hello").digest("base64");
    const res = await patch(url, 0, "hello", { "upload-checksum": `sha256 ${good}` });
    assertEquals(res.status, 204);
    assertEquals(await offsetOf(url), 5);
  });
});

Deno.test("createUpload() answers 413 past --max-upload, and appendUpload() past the length", async () => {
  await withServer(async (server) => {
    const res = await fetch(server.href("/_/uploads/"), {
      method: "POST",
      headers: { ...TUS, "upload-length": "101", "upload-metadata": meta({ filename: "x" }) },
    });
    await res.body?.cancel();
    assertEquals(res.status, 413);
    const url = await create(server, 4);
    assertEquals((await patch(url, 0, "12345")).status, 413);
    assertEquals(await offsetOf(url), 0);
  }, { maxUpload: 100 });
});

Deno.test("UploadSweeper removes an expired upload's session and temp file and counts it", async () => {
  await withServer(async (server, root) => {
    const expired = new Promise((resolve) => {
      server.metrics.addEventListener("upload-expired", resolve, { once: true });
    });
    const url = await create(server, 10);
    assertEquals((await patch(url, 0, "abc")).status, 204);
    await expired;
    assertEquals(await offsetOf(url), null);
    assertEquals(temps(root), []);
    const metrics = await (await fetch(server.href("/_/metrics"))).text();
    assertOk(/^sluice_uploads_expired_total 1$/m.test(metrics), metrics);
  }, { uploadExpiry: 300 });
});

Deno.test("terminateUpload() removes the upload; later requests answer 404", async () => {
  await withServer(async (server, root) => {
    const url = await create(server, 10);
    assertEquals((await patch(url, 0, "abc")).status, 204);
    const res = await fetch(url, { method: "DELETE", headers: TUS });
    await res.body?.cancel();
    assertEquals(res.status, 204);
    assertEquals(temps(root), []);
    assertEquals(await offsetOf(url), null);
    assertEquals((await patch(url, 3, "def")).status, 404);
  });
});

Deno.test("uploadOffset() answers 404 for unknown uploads and malformed ids", async () => {
  await withServer(async (server) => {
    for (const path of ["/_/uploads/0123456789abcdef0123456789abcdef", "/_/uploads/nope"]) {
      const res = await fetch(server.href(path), { method: "HEAD", headers: TUS });
      assertEquals(res.status, 404);
    }
  });
});

Deno.test("createUpload() answers precise 4xx for bad headers and metadata", async (t) => {
  await withServer(async (server) => {
    const rows: [string, Record<string, string>, number][] = [
      ["no protocol", { "upload-length": "1", "upload-metadata": meta({ filename: "a" }) }, 412],
      ["tus 0.2", { "tus-resumable": "0.2.0", "upload-length": "1" }, 412],
      ["no length", { ...TUS, "upload-metadata": meta({ filename: "a" }) }, 400],
      ["both lengths", { ...TUS, "upload-length": "1", "upload-defer-length": "1" }, 400],
      [
        "bad length",
        { ...TUS, "upload-length": "-1", "upload-metadata": meta({ filename: "a" }) },
        400,
      ],
      ["no filename", { ...TUS, "upload-length": "1" }, 400],
      ["bad metadata", { ...TUS, "upload-length": "1", "upload-metadata": "filename ***" }, 400],
      [
        "dotfile",
        { ...TUS, "upload-length": "1", "upload-metadata": meta({ filename: ".env" }) },
        400,
      ],
      ["climb", {
        ...TUS,
        "upload-length": "1",
        "upload-metadata": meta({ filename: "a", relativePath: "../a" }),
      }, 400],
      ["reserved", {
        ...TUS,
        "upload-length": "1",
        "upload-metadata": meta({ filename: "a", folder: "/_/" }),
      }, 403],
      ["temp name", {
        ...TUS,
        "upload-length": "1",
        "upload-metadata": meta({ filename: ".sluice-tus-x" }),
      }, 400],
    ];
    for (const [name, headers, expected] of rows) {
      await t.step(name, async () => {
        const res = await fetch(server.href("/_/uploads/"), { method: "POST", headers });
        await res.body?.cancel();
        assertEquals(res.status, expected);
      });
    }
  });
});

Deno.test("appendUpload() answers 415, 400 and 412 for a bad append", async () => {
  await withServer(async (server) => {
    const url = await create(server, 10);
    assertEquals((await patch(url, 0, "a", { "content-type": "text/plain" })).status, 415);
    assertEquals((await patch(url, 0, "a", { "upload-offset": "x" })).status, 400);
    const res = await fetch(url, { method: "PATCH", headers: { "upload-offset": "0" }, body: "a" });
    await res.body?.cancel();
    assertEquals(res.status, 412);
  });
});

Deno.test("appendUpload() keeps the bytes of a PATCH that stops mid-body", async () => {
  await withServer(async (server, root) => {
    const url = await create(server, 1000);
    const path = new URL(url).pathname;
    const conn = await startUpload(server.url, "PATCH", path, {
      ...APPEND,
      "upload-offset": "0",
      "content-length": "1000",
    });
    await conn.write("x".repeat(600));
    // A second writer meanwhile is refused, never interleaved.
    const second = await patch(url, 0, "y");
    assertEquals(second.status, 423);
    conn.close();
    assertEquals(await offsetOf(url), 600);
    assertEquals(Deno.statSync(`${root}/${temps(root)[0]}`).size, 600);
    assertEquals((await patch(url, 600, "z".repeat(400))).status, 204);
    assertEquals(await Deno.readTextFile(`${root}/a.txt`), "x".repeat(600) + "z".repeat(400));
  });
});

Deno.test("createUpload() takes a deferred length and data in the creation request", async () => {
  await withServer(async (server, root) => {
    const res = await fetch(server.href("/_/uploads/"), {
      method: "POST",
      headers: {
        ...APPEND,
        "upload-defer-length": "1",
        "upload-metadata": meta({ filename: "d" }),
      },
      body: "abc",
    });
    await res.body?.cancel();
    assertEquals(res.status, 201);
    assertEquals(res.headers.get("upload-offset"), "3");
    assertEquals(res.headers.get("upload-defer-length"), "1");
    const url = new URL(res.headers.get("location")!, server.url).href;
    assertEquals((await patch(url, 3, "def", { "upload-length": "6" })).status, 204);
    assertEquals(await Deno.readTextFile(`${root}/d`), "abcdef");
  });
});

Deno.test("createUpload() speaks the latest IETF draft: creation with data, append, completion", async () => {
  await withServer(async (server, root) => {
    const res = await fetch(server.href("/_/uploads/"), {
      method: "POST",
      headers: {
        "upload-draft-interop-version": "8",
        "upload-complete": "?0",
        "upload-metadata": meta({ filename: "i.txt" }),
      },
      body: "hello ",
    });
    await res.body?.cancel();
    assertEquals(res.status, 201);
    assertEquals(res.headers.get("upload-complete"), "?0");
    assertEquals(res.headers.get("upload-offset"), "6");
    assertOk(res.headers.get("upload-limit")!.startsWith("max-size="));
    const url = new URL(res.headers.get("location")!, server.url).href;
    const head = await fetch(url, {
      method: "HEAD",
      headers: { "upload-draft-interop-version": "8" },
    });
    assertEquals(head.status, 204);
    assertEquals(head.headers.get("cache-control"), "no-store");
    const done = await fetch(url, {
      method: "PATCH",
      headers: {
        "upload-draft-interop-version": "8",
        "upload-complete": "?1",
        "upload-offset": "6",
        "content-type": "application/partial-upload",
      },
      body: "world",
    });
    await done.body?.cancel();
    assertEquals(done.status, 201);
    assertEquals(done.headers.get("upload-complete"), "?1");
    assertEquals(await Deno.readTextFile(`${root}/i.txt`), "hello world");
  });
});

Deno.test("createUpload() refuses to replace an existing file when asked to fail", async () => {
  await withServer(async (server, root) => {
    await Deno.writeTextFile(`${root}/a.txt`, "old");
    const res = await fetch(server.href("/_/uploads/"), {
      method: "POST",
      headers: {
        ...TUS,
        "upload-length": "1",
        "upload-metadata": meta({ filename: "a.txt", onConflict: "fail" }),
      },
    });
    await res.body?.cancel();
    assertEquals(res.status, 412);
    const url = await create(server, 3, { filename: "a.txt" });
    assertEquals((await patch(url, 0, "new")).status, 204);
    assertEquals(await Deno.readTextFile(`${root}/a.txt`), "new");
  });
});

Deno.test("createUpload() checks a declared Repr-Digest when the upload finishes", async () => {
  await withServer(async (server, root) => {
    const digest = createHash("sha256").update("right").digest("base64");
    const res = await fetch(server.href("/_/uploads/"), {
      method: "POST",
      headers: {
        ...TUS,
        "upload-length": "5",
        "upload-metadata": meta({ filename: "r" }),
        "repr-digest": `sha-256=:${digest}:`,
      },
    });
    await res.body?.cancel();
    const url = new URL(res.headers.get("location")!, server.url).href;
    assertEquals((await patch(url, 0, "wrong")).status, 400);
    assertEquals(temps(root), []);
    assertOk(!(await Deno.stat(`${root}/r`).then(() => true, () => false)));
  });
});

Deno.test("createUpload() exists only with --upload, and needs an rw user with --auth", async () => {
  await using root = await tempDir();
  {
    await using server = await startStatefulServer(root.path, {});
    const res = await fetch(server.href("/_/uploads/"), { method: "POST", headers: TUS });
    await res.body?.cancel();
    assertEquals(res.status, 404);
  }
  await using server = await startStatefulServer(root.path, {
    upload: true,
    auth: [{ user: "ro", password: "pw", access: "ro" }, {
      user: "rw",
      password: "pw",
      access: "rw",
    }],
  });
  const headers = (user: string) => ({
    ...TUS,
    "upload-length": "1",
    "upload-metadata": meta({ filename: "a" }),
    authorization: `Basic ${btoa(`${user}:pw`)}`,
  });
  const ro = await fetch(server.href("/_/uploads/"), { method: "POST", headers: headers("ro") });
  await ro.body?.cancel();
  assertEquals(ro.status, 403);
  const rw = await fetch(server.href("/_/uploads/"), { method: "POST", headers: headers("rw") });
  await rw.body?.cancel();
  assertEquals(rw.status, 201);
});

Deno.test("listing never shows a resumable upload's temp file", async () => {
  await withServer(async (server) => {
    const url = await create(server, 10);
    assertEquals((await patch(url, 0, "abc")).status, 204);
    const listing =
      await (await fetch(server.href("/"), { headers: { accept: "application/json" } }))
        .text();
    assertOk(!listing.includes(".sluice-tus-"), listing);
  }, { dotfiles: true });
});

Deno.test("uploadOptions() leaves CORS preflights to the app and exposes the upload headers", async () => {
  await withServer(async (server) => {
    const url = await create(server, 10);
    const preflight = await fetch(url, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "PATCH",
        "access-control-request-headers": "tus-resumable, upload-offset, content-type",
      },
    });
    await preflight.body?.cancel();
    assertEquals(preflight.status, 204);
    assertOk(preflight.headers.get("access-control-allow-methods")!.includes("PATCH"));
    assertOk(preflight.headers.get("access-control-allow-headers")!.includes("upload-offset"));
    const res = await patch(url, 0, "abc", { origin: "https://app.example" });
    assertEquals(res.status, 204);
    const exposed = res.headers.get("access-control-expose-headers")!.split(/,\s*/);
    for (const name of ["Upload-Offset", "Upload-Expires", "Tus-Resumable", "Location"]) {
      assertOk(exposed.includes(name), name);
    }
  }, { cors: "*" });
});

Deno.test("createUpload() takes a bare POST with no body and no Content-Type (curl -X POST)", async () => {
  await withServer(async (server) => {
    const port = new URL(server.url).port;
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    try {
      await conn.write(new TextEncoder().encode(
        `POST /_/uploads/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTus-Resumable: 1.0.0\r\n` +
          `Upload-Length: 5\r\nUpload-Metadata: ${meta({ filename: "bare.txt" })}\r\n` +
          "Connection: close\r\n\r\n",
      ));
      let text = "";
      const buffer = new Uint8Array(4096);
      for (let n; (n = await conn.read(buffer)) !== null;) {
        text += new TextDecoder().decode(buffer.subarray(0, n));
      }
      assertEquals(text.split("\r\n")[0], "HTTP/1.1 201 Created");
      const location = /^location: (.+)$/im.exec(text)?.[1].trim();
      assertOk(location);
      assertEquals(await offsetOf(new URL(location, server.url).href), 0);
    } finally {
      try {
        conn.close();
      } catch {
        // Closed by the server already.
      }
    }
  });
});
