/**
 * Slowloris against the real process: many connections that send their
 * request headers one byte per second never get served, do not keep normal
 * clients from being answered, and are closed once `--header-timeout` has
 * passed.
 */
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { tempDir } from "./helpers/server.ts";
import { denoRunArgs, spawnSluice } from "./helpers/sluice_process.ts";

/**
 * Slow connections. 1,000 as the issue asks: on the shared 2-core machine
 * that is 1,000 one-byte writes a second from this process and 1,000
 * descriptors in Sluice, well within the 20,000 the test machine allows.
 */
const SLOW = 1000;
const HEADER_TIMEOUT_MS = 4000;
const NORMAL_REQUESTS = 20;

Deno.test(
  `startServer() closes ${SLOW} slowloris connections after --header-timeout and keeps answering others`,
  async () => {
    await using dir = await tempDir({ "a.txt": "hello" });
    await using sluice = await spawnSluice({
      command: Deno.execPath(),
      args: denoRunArgs(["--allow-read", "--allow-net"], [
        dir.path,
        "--port",
        "0",
        "--quiet",
        "--header-timeout",
        String(HEADER_TIMEOUT_MS),
      ]),
      env: { NO_COLOR: "1" },
    });
    const { hostname, port } = new URL(sluice.url);
    const head = new TextEncoder().encode(
      `GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Slow: ${"a".repeat(60)}`,
    );

    const slow: { conn: Deno.Conn; opened: number; closedAfter: Promise<number> }[] = [];
    for (let i = 0; i < SLOW; i++) {
      const conn = await Deno.connect({ hostname, port: Number(port) });
      const opened = performance.now();
      const closedAfter = (async () => {
        const sink = new Uint8Array(256);
        try {
          while (await conn.read(sink) !== null) { /* a server never answers a half request */ }
        } catch {
          // Reset by the server: closed as well.
        }
        return performance.now() - opened;
      })();
      slow.push({ conn, opened, closedAfter });
    }
    let offset = 0;
    const drip = setInterval(() => {
      const byte = head.subarray(offset % head.length, offset % head.length + 1);
      offset++;
      for (const { conn } of slow) conn.write(byte).catch(() => {});
    }, 1000);

    try {
      // Normal clients are answered while the slow ones hang on.
      for (let i = 0; i < NORMAL_REQUESTS; i++) {
        const res = await deadline(fetch(sluice.href("/a.txt")), "a normal client's answer");
        assertEquals(res.status, 200);
        assertEquals(await res.text(), "hello");
      }
      const closedAfter = await deadline(
        Promise.all(slow.map((s) => s.closedAfter)),
        "the slow connections to be closed",
        HEADER_TIMEOUT_MS + 20_000,
      );
      // Never before the timeout (the server's clock starts after ours).
      assertOk(
        Math.min(...closedAfter) >= HEADER_TIMEOUT_MS,
        `closed after ${Math.min(...closedAfter)} ms`,
      );
      const res = await fetch(sluice.href("/a.txt"));
      assertEquals(await res.text(), "hello");
    } finally {
      clearInterval(drip);
      for (const { conn } of slow) conn.close();
    }
  },
);
