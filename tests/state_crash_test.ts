/**
 * SQLite crash safety: a child process writes records and prints the key
 * of each write once `put()` returned; the test kills it with SIGKILL
 * mid-stream, reopens the store, and finds every acknowledged write.
 */
import { fileURLToPath } from "node:url";
import { SqliteStore } from "../src/state/sqlite_store.ts";
import { assertEquals, assertOk } from "./helpers/assert.ts";

const WRITER = `
import { SqliteStore } from ${
  JSON.stringify(new URL("../src/state/sqlite_store.ts", import.meta.url).href)
};
const store = new SqliteStore(Deno.args[0]);
const out = new TextEncoder();
for (let i = 0; ; i++) {
  await store.put("k:" + String(i).padStart(6, "0"), { i, pad: "x".repeat(i % 500) });
  if (i % 7 === 0) await store.append("log", String(i));
  Deno.stdout.writeSync(out.encode(i + "\\n"));
}
`;

Deno.test("SqliteStore keeps every acknowledged write through kill -9", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sluice-crash-" });
  const script = `${dir}/writer.ts`;
  await Deno.writeTextFile(script, WRITER);
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", "--no-check", script, `${dir}/state.db`],
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let acknowledged = -1;
    let buffered = "";
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    /** Reads more of the writer's output into `acknowledged` (its last whole line); false at the end. */
    const readMore = async (): Promise<boolean> => {
      const { value, done } = await reader.read();
      if (done) return false;
      buffered += value;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      if (lines.length > 0) acknowledged = Number(lines.at(-1));
      return true;
    };
    while (acknowledged < 300 && await readMore());
    child.kill("SIGKILL");
    // Lines already written before the kill are acknowledged writes too.
    while (await readMore());
    await child.status;
    assertOk(acknowledged >= 300, `the writer acknowledged ${acknowledged} writes`);

    const store = new SqliteStore(`${dir}/state.db`);
    try {
      const records = await store.list<{ i: number }>("k:");
      for (let i = 0; i <= acknowledged; i++) {
        assertEquals(records[i]?.value.i, i, `write ${i} was acknowledged`);
      }
      const log = await store.readAfter("log", null, 10_000);
      assertOk(log.entries.length >= Math.floor(acknowledged / 7));
      await store.put("after", true);
      assertEquals((await store.get("after"))?.value, true);
    } finally {
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
