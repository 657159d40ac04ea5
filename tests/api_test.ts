import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { rawGet, rawRequest } from "./helpers/http_fixtures.ts";
import { deadline } from "./helpers/deadline.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

const encoder = new TextEncoder();

/** A request body the test writes to while the request is in flight. */
function pushBody() {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  return {
    body: readable,
    send: (text: string) => void writer.write(encoder.encode(text)),
    end: () => void writer.close(),
  };
}

Deno.test("apiStat() describes a file and a directory as JSON", async () => {
  await using dir = await tempDir({ "sub/a.txt": "hello" });
  await using server = startTestServer(dir.path);
  const { mtime } = await Deno.stat(`${dir.path}/sub/a.txt`);
  const file = await (await fetch(server.href("/_/api/stat?path=/sub/a.txt"))).json();
  assertEquals(file, {
    path: "/sub/a.txt",
    name: "a.txt",
    isDirectory: false,
    size: 5,
    modified: mtime!.toISOString(),
    contentType: "text/plain; charset=utf-8",
  });
  const folder = await (await fetch(server.href("/_/api/stat?path=sub"))).json();
  assertEquals([folder.path, folder.isDirectory], ["/sub/", true]);
});

Deno.test("apiStat() refuses missing, hidden and escaping paths", async (t) => {
  await using dir = await tempDir({ ".env": "x" });
  await using server = startTestServer(dir.path);
  const rows: [string, number][] = [
    ["", 400],
    ["?path=/nope", 404],
    ["?path=/.env", 404],
    ["?path=/../etc/passwd", 400],
    ["?path=a%00b", 400],
  ];
  for (const [query, status] of rows) {
    await t.step(query || "(no path)", async () => {
      const res = await fetch(server.href(`/_/api/stat${query}`));
      assertEquals(res.status, status);
      await res.body?.cancel();
    });
  }
});

Deno.test("apiCollect() reads a streamed NDJSON body message by message", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const upload = pushBody();
  const response = fetch(server.href("/_/api/collect"), {
    method: "POST",
    body: upload.body,
    headers: { "content-type": "application/x-ndjson" },
  });
  upload.send('{"text":"Hello, "}\n{"te');
  upload.send('xt":"세계"}\n"!"\n\n{"other":1}');
  upload.end();
  const res = await response;
  assertEquals(res.status, 200);
  const sent = '{"text":"Hello, "}\n{"text":"세계"}\n"!"\n\n{"other":1}';
  assertEquals(await res.json(), {
    count: 4,
    bytes: encoder.encode(sent).length,
    text: "Hello, 세계!",
  });
});

Deno.test("apiCollect() answers 413 once a streamed body passes 1 MiB", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const line = JSON.stringify({ text: "x".repeat(1000) }) + "\n";
  // Sent without Content-Length, so only the streaming limit can catch it.
  const body = ReadableStream.from((function* () {
    for (let i = 0; i < 1100; i++) yield encoder.encode(line);
  })());
  const res = await fetch(server.href("/_/api/collect"), { method: "POST", body });
  assertEquals(res.status, 413);
  await res.body?.cancel();
});

Deno.test("apiCollect() answers 413 for a declared length over the limit", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/api/collect"), {
    method: "POST",
    body: new Uint8Array(1024 * 1024 + 1),
  });
  assertEquals(res.status, 413);
  await res.body?.cancel();
});

Deno.test("apiCollect() names the message that is not JSON", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/api/collect"), {
    method: "POST",
    body: '{"text":"ok"}\nnot json\n',
  });
  assertEquals(res.status, 400);
  assertMatch(await res.text(), /Message 2 is not valid JSON/);
});

Deno.test("apiEcho() answers each line while the request body is still being sent", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const upload = pushBody();
  upload.send('{"n":1}\n');
  const res = await deadline(
    fetch(server.href("/_/api/echo"), { method: "POST", body: upload.body }),
    "the response head before the body ends",
  );
  assertEquals(res.headers.get("content-type"), "application/x-ndjson");
  const replies = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  // Each answer arrives before the next line is even written.
  assertEquals((await deadline(replies.read(), "reply 1")).value, '{"seq":1,"received":{"n":1}}\n');
  upload.send('{"n":2}\nnot json\n');
  let text = "";
  while (text.split("\n").length < 3) text += (await deadline(replies.read(), "reply 2")).value;
  assertEquals(text, '{"seq":2,"received":{"n":2}}\n{"seq":3,"error":"Invalid JSON"}\n');
  upload.end();
  assertEquals((await replies.read()).done, true);
});

Deno.test("apiEcho() is full-duplex over a raw chunked HTTP/1.1 upload", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const decoder = new TextDecoder();
  let received = "";
  const readUntil = async (marker: string) => {
    const buffer = new Uint8Array(16 * 1024);
    while (!received.includes(marker)) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error(`Connection closed; got ${JSON.stringify(received)}`);
      received += decoder.decode(buffer.subarray(0, n), { stream: true });
    }
  };
  const chunk = (text: string) => `${encoder.encode(text).length.toString(16)}\r\n${text}\r\n`;
  await conn.write(encoder.encode(
    "POST /_/api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunk('"ping"\n'),
  ));
  // The head and the first answer come back while the request is unfinished.
  await deadline(readUntil('"ping"}'), "the first answer");
  assertMatch(received, /^HTTP\/1\.1 200 OK\r\n/);
  assertMatch(received, /\{"seq":1,"received":"ping"\}/);
  await conn.write(encoder.encode(chunk('"pong"\n') + "0\r\n\r\n"));
  await deadline(readUntil("\r\n0\r\n\r\n"), "the end of the response");
  assertMatch(received, /\{"seq":2,"received":"pong"\}/);
});

Deno.test("HEAD on streamed endpoints sends no Content-Length (the GET's length is unknown)", async (t) => {
  await using dir = await tempDir({ "a.txt": "abc" });
  await using server = startTestServer(dir.path);
  const targets = [
    "/_/events",
    "/_/sse/countdown?from=1&interval=10",
    "/_/sse/tokens?text=hi",
    "/_/stream?steps=1&interval=10",
    "/a.txt?checksum=sha256",
  ];
  for (const target of targets) {
    await t.step(target, async () => {
      const res = await rawRequest(server.port, rawGet(target, "HEAD"));
      assertEquals(res.status, 200, res.head);
      assertOk(!/^content-length:/im.test(res.head), res.head);
      assertEquals(res.body, "");
    });
  }
  await t.step("/_/health: GET and HEAD send the same length", async () => {
    const get = await rawRequest(server.port, rawGet("/_/health"));
    const head = await rawRequest(server.port, rawGet("/_/health", "HEAD"));
    const length = (r: { head: string }) => /^content-length: (\d+)$/im.exec(r.head)?.[1];
    assertEquals(length(get), String(new TextEncoder().encode(get.body).length));
    assertEquals(length(head), length(get));
  });
});

Deno.test("apiStat() never reports an upload's temp file, even with --dotfiles", async () => {
  await using dir = await tempDir({ ".sluice-upload-1234": "partial", ".env": "x" });
  await using server = startTestServer(dir.path, { dotfiles: true });
  const temp = await fetch(server.href("/_/api/stat?path=/.sluice-upload-1234"));
  assertEquals(temp.status, 404);
  await temp.body?.cancel();
  const dot = await fetch(server.href("/_/api/stat?path=/.env"));
  assertEquals(dot.status, 200);
  await dot.body?.cancel();
});

Deno.test("apiCollect() and apiEcho() refuse compressed bodies with 415, like uploads", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  for (const path of ["/_/api/collect", "/_/api/echo"]) {
    const res = await fetch(server.href(path), {
      method: "POST",
      headers: { "content-encoding": "gzip" },
      body: '{"a":1}\n',
    });
    assertEquals(res.status, 415, path);
    assertMatch(await res.text(), /Content-Encoding is not supported/);
  }
});
