import { assertEquals } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { tempDir } from "./helpers/server.ts";
import { denoRunArgs, spawnSluice } from "./helpers/sluice_process.ts";
import { sseEvents } from "./helpers/sse_parser.ts";

function startMain(root: string, flags: string[] = []) {
  return spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(["--allow-read", "--allow-net"], [root, "--port", "0", "--quiet", ...flags]),
    env: { NO_COLOR: "1" },
  });
}

Deno.test("main.ts ends SSE streams with event: shutdown on SIGTERM and exits 0", async () => {
  await using dir = await tempDir({ "a.txt": "x" });
  await using sluice = await startMain(dir.path);
  const countdown = sseEvents(
    (await fetch(sluice.href("/_/sse/countdown?from=9&interval=60000"))).body!,
  );
  const changes = sseEvents((await fetch(sluice.href("/_/events"))).body!);
  assertEquals((await deadline(countdown.next(), "the first countdown event")).value?.data, "9");
  assertEquals((await deadline(changes.next(), "the ready event")).value?.type, "ready");
  sluice.child.kill("SIGTERM");
  const last = await deadline(Array.fromAsync(countdown), "the countdown to end");
  assertEquals(last.map((e) => e.type), ["shutdown"]);
  const lastChange = await deadline(Array.fromAsync(changes), "the change feed to end");
  assertEquals(lastChange.map((e) => e.type), ["shutdown"]);
  // Await the exit itself: stop() would send a second signal (exit 130).
  assertEquals((await deadline(sluice.child.status, "the process to exit")).code, 0);
});

Deno.test("main.ts waits for running responses up to --grace, then exits 0", async () => {
  await using dir = await tempDir();
  await using sluice = await startMain(dir.path, ["--grace", "300"]);
  // A plain streamed response (not SSE) that would run for a minute.
  const res = await fetch(sluice.href("/_/stream?steps=2&interval=60000"));
  const reader = res.body!.getReader();
  await reader.read();
  sluice.child.kill("SIGTERM");
  assertEquals((await deadline(sluice.child.status, "the exit after the grace period")).code, 0);
  await reader.cancel().catch(() => {});
});

Deno.test("main.ts exits at once on a second signal: 130 for SIGINT, 143 for SIGTERM", async (t) => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    await t.step(signal, async () => {
      await using dir = await tempDir();
      await using sluice = await startMain(dir.path, ["--grace", "600000"]);
      // A streamed response that holds the shutdown for the whole grace period...
      const res = await fetch(sluice.href("/_/stream?steps=2&interval=60000"));
      const reader = res.body!.getReader();
      await reader.read();
      // ...and an SSE stream that tells us when the first signal was handled.
      const events = sseEvents(
        (await fetch(sluice.href("/_/sse/countdown?interval=60000"))).body!,
      );
      await deadline(events.next(), "the first countdown event");
      sluice.child.kill("SIGTERM");
      const last = await deadline(Array.fromAsync(events), "the shutdown event");
      assertEquals(last.map((e) => e.type), ["shutdown"]);
      sluice.child.kill(signal);
      assertEquals((await deadline(sluice.child.status, "the exit")).code, code);
      await reader.cancel().catch(() => {});
    });
  }
});

/**
 * Starts `main.ts` with `--upload` and `--grace`, and a `PUT /a.txt` whose
 * body the test feeds by hand; resolves once the server counts the upload
 * as running.
 */
async function startUpload(root: string, grace: number) {
  const sluice = await spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(
      ["--allow-read", "--allow-write", "--allow-net"],
      [root, "--port", "0", "--quiet", "--upload", "--grace", String(grace)],
    ),
    env: { NO_COLOR: "1" },
  });
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const send = (text: string) => writer.write(new TextEncoder().encode(text));
  const put = fetch(sluice.href("/a.txt"), { method: "PUT", body: readable });
  put.catch(() => {});
  await send("first part ");
  await deadline(
    (async () => {
      while ((await (await fetch(sluice.href("/_/health"))).json()).streams.upload === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })(),
    "the upload to start",
  );
  return { sluice, put, send, writer };
}

Deno.test("main.ts lets an upload running at SIGTERM finish within --grace", async () => {
  await using dir = await tempDir({ "a.txt": "old" });
  const { sluice, put, send, writer } = await startUpload(dir.path, 10_000);
  await using _ = sluice;
  sluice.child.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 200));
  await send("second part");
  await writer.close();
  const res = await deadline(put, "the upload's answer");
  assertEquals(res.status, 204);
  assertEquals((await deadline(sluice.child.status, "the exit")).code, 0);
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "first part second part");
});

Deno.test("main.ts ends an upload still running after --grace: old file kept, no temp file", async () => {
  await using dir = await tempDir({ "a.txt": "old" });
  const { sluice, put, writer } = await startUpload(dir.path, 300);
  await using _ = sluice;
  sluice.child.kill("SIGTERM");
  assertEquals((await deadline(sluice.child.status, "the exit after the grace")).code, 0);
  await put.catch(() => {});
  await writer.abort().catch(() => {});
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "old");
  assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name), ["a.txt"]);
});
