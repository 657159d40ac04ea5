import { formatAccessLog } from "../src/log/access_log.ts";
import { assertEquals, assertMatch } from "./helpers/assert.ts";
import { tempDir } from "./helpers/server.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

Deno.test("formatAccessLog() writes text or one JSON object", () => {
  const record = { method: "GET", path: "/a", status: 206, bytes: 3, ms: 1.234, remote: "::1" };
  assertEquals(formatAccessLog("text", record), "::1 GET /a 206 3B 1.2ms");
  const json = JSON.parse(formatAccessLog("json", record));
  assertEquals({ ...json, time: undefined }, { ...record, ms: 1.2, time: undefined });
});

Deno.test("main() writes JSON access-log lines with --log-format json", async () => {
  await using dir = await tempDir({ "a.txt": "hello" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, dir.path, "--port", "0", "--log-format", "json"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async (): Promise<string> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("Sluice stopped writing");
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  };
  try {
    const url = /(http:\/\/\S+)/.exec(await nextLine())![1];
    const res = await fetch(new URL("/a.txt?x=1", url), { headers: { range: "bytes=1-2" } });
    assertEquals(await res.text(), "el");
    const entry = JSON.parse(await nextLine());
    assertEquals(
      [entry.method, entry.path, entry.status, entry.bytes, entry.remote],
      ["GET", "/a.txt?x=1", 206, 2, "127.0.0.1"],
    );
    assertMatch(entry.time, /^\d{4}-\d\d-\d\dT/);
    assertEquals(typeof entry.ms, "number");
  } finally {
    child.kill("SIGTERM");
    while (!(await lines.read()).done) { /* drain */ }
    await child.status;
  }
});
