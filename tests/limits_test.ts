import { assertEquals } from "./helpers/assert.ts";
import { connectRaw } from "./helpers/raw_http.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

// Pins what Deno 2.9.6 does on its own (documented in docs/write-mode.md):
// Sluice has no option for it, so a Deno upgrade that changes it should be noticed.
Deno.test("startServer() relies on Deno to refuse oversized request headers", async (t) => {
  await using dir = await tempDir({ "a.txt": "x" });
  await using server = startTestServer(dir.path);
  const request = (size: number) =>
    `GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Big: ${"x".repeat(size)}\r\nConnection: close\r\n\r\n`;

  await t.step("a 32 kB header is served", async () => {
    using conn = await connectRaw(server.url);
    await conn.write(request(32_000));
    assertEquals((await conn.readFinal()).status, 200);
  });

  await t.step("a 200 kB header is refused with 400", async () => {
    using conn = await connectRaw(server.url);
    await conn.write(request(200_000)).catch(() => {}); // the server may hang up mid-write
    assertEquals((await conn.readFinal()).status, 400);
  });
});
