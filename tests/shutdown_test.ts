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

Deno.test("main.ts exits at once on a second signal", async () => {
  await using dir = await tempDir();
  await using sluice = await startMain(dir.path, ["--grace", "600000"]);
  // A streamed response that holds the shutdown for the whole grace period...
  const res = await fetch(sluice.href("/_/stream?steps=2&interval=60000"));
  const reader = res.body!.getReader();
  await reader.read();
  // ...and an SSE stream that tells us when the first signal was handled.
  const events = sseEvents((await fetch(sluice.href("/_/sse/countdown?interval=60000"))).body!);
  await deadline(events.next(), "the first countdown event");
  sluice.child.kill("SIGTERM");
  const last = await deadline(Array.fromAsync(events), "the shutdown event");
  assertEquals(last.map((e) => e.type), ["shutdown"]);
  sluice.child.kill("SIGINT");
  assertEquals((await deadline(sluice.child.status, "the exit")).code, 130);
  await reader.cancel().catch(() => {});
});
