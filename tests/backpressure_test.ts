import { assertEquals, assertOk } from "./helpers/assert.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";
import { openFds, settledFds } from "./helpers/fds.ts";

const MiB = 1024 * 1024;
const BIG_SIZE = 64 * MiB;

/** A directory with a 64 MiB file (sparse: cheap to make, real bytes to serve) and a small one. */
async function bigFixture() {
  const dir = await tempDir({ "small.txt": "small" });
  const file = await Deno.open(`${dir.path}/big.bin`, { write: true, create: true });
  await file.truncate(BIG_SIZE);
  // A few real bytes so the file is not all zeros.
  await file.write(new TextEncoder().encode("start"));
  file.close();
  return dir;
}

/**
 * Opens a raw connection, asks for `target` and reads only until the first
 * body bytes arrived; the caller then stops reading (a paused client).
 */
async function pausedDownload(port: number, target: string, range?: string): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const extra = range ? `Range: ${range}\r\n` : "";
  await conn.write(
    new TextEncoder().encode(`GET ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`),
  );
  const buffer = new Uint8Array(64 * 1024);
  let received = "";
  while (!received.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    assertOk(n !== null, "the server answered");
    received += new TextDecoder().decode(buffer.subarray(0, n));
  }
  assertOk(/^HTTP\/1\.1 20[06]/.test(received), received.slice(0, 40));
  return conn;
}

/** Fails (rather than hangs) when a request does not complete. */
const WATCHDOG_MS = 15_000;

Deno.test("serveFiles() does not let paused clients delay other requests or buffer the file", async () => {
  await using dir = await bigFixture();
  await using server = startTestServer(dir.path);
  const warm = await fetch(server.href("/small.txt"));
  assertEquals(await warm.text(), "small");
  const before = Deno.memoryUsage().rss;

  const paused = [
    await pausedDownload(server.port, "/big.bin"),
    await pausedDownload(server.port, "/big.bin", "bytes=1-"),
    await pausedDownload(server.port, "/big.bin", `bytes=0-9,${32 * MiB}-`),
  ];
  try {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(server.href(i % 2 ? "/small.txt" : "/"), {
        signal: AbortSignal.timeout(WATCHDOG_MS),
      });
      assertEquals(res.status, 200);
      await res.body?.cancel();
    }
    const ranged = await fetch(server.href("/big.bin"), {
      headers: { range: "bytes=0-4" },
      signal: AbortSignal.timeout(WATCHDOG_MS),
    });
    assertEquals(await ranged.text(), "start");
    const growth = Deno.memoryUsage().rss - before;
    // Three paused 64 MiB downloads: buffering any one of them would exceed this.
    assertOk(growth < 32 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
  } finally {
    for (const conn of paused) conn.close();
  }
});

Deno.test("serveFiles() closes every file handle of 50 downloads aborted mid-body", async () => {
  await using dir = await bigFixture();
  await using server = startTestServer(dir.path);
  // No idle keep-alive connections, so the count only reflects live ones.
  using client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  const before = await openFds();

  // A full body, a streamed range, a small range read at once, multipart.
  const ranges = [undefined, "bytes=1000-", "bytes=1000-66535", `bytes=0-0,${MiB}-`];
  for (let i = 0; i < 50; i++) {
    const controller = new AbortController();
    const range = ranges[i % ranges.length];
    const res = await fetch(server.href("/big.bin"), {
      client,
      signal: controller.signal,
      headers: range ? { range } : {},
    });
    assertEquals(res.status, range ? 206 : 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assertOk(first.value && first.value.length > 0);
    controller.abort();
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }

  // The server notices each disconnect asynchronously: give it a bounded
  // number of turns of the event loop to close everything.
  const after = await settledFds(before);
  assertOk(after <= before, `open fds: ${before} before, ${after} after`);
  const res = await fetch(server.href("/small.txt"), { client });
  assertEquals(await res.text(), "small");
});
