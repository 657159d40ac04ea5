import { assertEquals } from "./helpers/assert.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

Deno.test("serveFiles() answers a suffix range from the end of the file", async () => {
  await using dir = await tempDir({ "digits.txt": "0123456789" });
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/digits.txt"), { headers: { range: "bytes=-3" } });
  assertEquals(res.status, 206);
  assertEquals(res.headers.get("content-range"), "bytes 7-9/10");
  assertEquals(await res.text(), "789");
});
