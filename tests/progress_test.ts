import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";
import { streamsClosed } from "../src/stream_slots.ts";

async function ndjson(res: Response): Promise<Record<string, unknown>[]> {
  return (await res.text()).trimEnd().split("\n").map((line) => JSON.parse(line));
}

Deno.test("progressStream() sends the progress lines, then the content", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/stream?message=hello&steps=3&interval=10"));
  assertEquals(res.headers.get("content-type"), "text/plain; charset=utf-8");
  assertEquals(
    await res.text(),
    "Processing file 1/3...\nProcessing file 2/3...\nProcessing file 3/3...\n" +
      "Here's the file content: hello\n",
  );
});

Deno.test("progressStream() flushes the first line before the next is produced", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  // Step 2 is a minute away: only a flushed first line can arrive now.
  const res = await fetch(server.href("/_/stream?steps=2&interval=60000"));
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  assertEquals((await deadline(reader.read(), "the first line")).value, "Processing file 1/2...\n");
  await reader.cancel();
  await deadline(streamsClosed(server.state), "the progress stream to be released");
});

Deno.test("progressStream() speaks NDJSON when asked", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/stream?message=hi&steps=2&interval=10"), {
    headers: { accept: "application/x-ndjson" },
  });
  assertEquals(res.headers.get("content-type"), "application/x-ndjson");
  assertEquals(await ndjson(res), [
    { step: 1, total: 2, message: "Processing file 1/2..." },
    { step: 2, total: 2, message: "Processing file 2/2..." },
    { done: true, total: 2, content: "hi" },
  ]);
});

Deno.test("progressStream() rejects bad parameters with the reason", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/stream?steps=many"));
  assertEquals(res.status, 400);
  assertMatch(await res.text(), /steps must be a whole number/);
});

Deno.test("checksum() streams hashing progress, then the SHA-256 digest", async () => {
  const bytes = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => (i * 7) % 256);
  await using dir = await tempDir({ "sub/big.bin": bytes });
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/sub/big.bin?checksum=sha256"));
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "application/x-ndjson");
  const lines = await ndjson(res);
  const expected = Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  assertEquals(lines.at(-1), { algorithm: "sha256", digest: expected, bytes: bytes.length });
  const progress = lines.slice(0, -1);
  assertEquals(progress[0], { bytes: 0, total: bytes.length, percent: 0 });
  assertEquals(progress.at(-1), { bytes: bytes.length, total: bytes.length, percent: 100 });
  for (let i = 1; i < progress.length; i++) {
    assertOk((progress[i].bytes as number) > (progress[i - 1].bytes as number));
  }
  assertOk(progress.length >= 4, "a 3 MiB file hashed in 1 MiB chunks reports each chunk");
});

Deno.test("checksum() stops hashing and closes the file when the client leaves", async () => {
  await using dir = await tempDir({ "big.bin": new Uint8Array(8 * 1024 * 1024) });
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/big.bin?checksum=sha256"));
  const reader = res.body!.getReader();
  await reader.read();
  await reader.cancel();
  // The resource sanitizer fails this test if the file were left open.
  await deadline(streamsClosed(server.state), "the hashing stream to be released");
  const health = await (await fetch(server.href("/_/health"))).json();
  assertEquals(health.streams.progress, 0);
});

Deno.test("checksum() refuses unknown algorithms, directories, hidden and missing files", async (t) => {
  await using dir = await tempDir({ "a.txt": "x", ".secret": "x", "d/x": "" });
  await using server = startTestServer(dir.path);
  const rows: [string, number, RegExp][] = [
    ["/a.txt?checksum=md4", 400, /Unsupported checksum/],
    ["/d/?checksum=sha256", 400, /not directories/],
    ["/.secret?checksum=sha256", 404, /Not found/],
    ["/missing?checksum=sha256", 404, /Not found/],
  ];
  for (const [path, status, reason] of rows) {
    await t.step(path, async () => {
      const res = await fetch(server.href(path));
      assertEquals(res.status, status);
      assertMatch(await res.text(), reason);
    });
  }
});
