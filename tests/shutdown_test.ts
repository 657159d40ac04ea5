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

/** A request body the test feeds by hand. */
function handBody() {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  return { readable, send: (text: string) => writer.write(new TextEncoder().encode(text)), writer };
}

function uploadFlags() {
  return ["--allow-read", "--allow-write", "--allow-net"];
}

Deno.test("main.ts lets an upload running at SIGTERM finish within --grace", async () => {
  await using dir = await tempDir({ "a.txt": "old" });
  await using sluice = await spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(uploadFlags(), [
      dir.path,
      "--port",
      "0",
      "--quiet",
      "--upload",
      "--grace",
      "10000",
    ]),
    env: { NO_COLOR: "1" },
  });
  const body = handBody();
  const put = fetch(sluice.href("/a.txt"), { method: "PUT", body: body.readable });
  await body.send("new ");
  // The body is on its way: the server has opened the upload.
  await deadline(
    (async () => {
      while ((await (await fetch(sluice.href("/_/health"))).json()).streams.upload === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })(),
    "the upload to start",
  );
  sluice.child.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 200));
  await body.send("content");
  await body.writer.close();
  const res = await deadline(put, "the upload's answer");
  assertEquals(res.status, 204);
  assertEquals((await deadline(sluice.child.status, "the exit")).code, 0);
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "new content");
});

Deno.test("main.ts ends an upload still running after --grace: old file kept, no temp file", async () => {
  await using dir = await tempDir({ "a.txt": "old" });
  await using sluice = await spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(uploadFlags(), [
      dir.path,
      "--port",
      "0",
      "--quiet",
      "--upload",
      "--grace",
      "300",
    ]),
    env: { NO_COLOR: "1" },
  });
  const body = handBody();
  const put = fetch(sluice.href("/a.txt"), { method: "PUT", body: body.readable }).catch((e) => e);
  await body.send("never finished");
  await deadline(
    (async () => {
      while ((await (await fetch(sluice.href("/_/health"))).json()).streams.upload === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })(),
    "the upload to start",
  );
  sluice.child.kill("SIGTERM");
  assertEquals((await deadline(sluice.child.status, "the exit after the grace")).code, 0);
  await put;
  await body.writer.abort().catch(() => {});
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "old");
  assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name), ["a.txt"]);
});

Deno.test("main.ts exits 143 on a second SIGTERM", async () => {
  await using dir = await tempDir();
  await using sluice = await startMain(dir.path, ["--grace", "600000"]);
  const res = await fetch(sluice.href("/_/stream?steps=2&interval=60000"));
  const reader = res.body!.getReader();
  await reader.read();
  const events = sseEvents((await fetch(sluice.href("/_/sse/countdown?interval=60000"))).body!);
  await deadline(events.next(), "the first countdown event");
  sluice.child.kill("SIGTERM");
  await deadline(Array.fromAsync(events), "the shutdown event");
  sluice.child.kill("SIGTERM");
  assertEquals((await deadline(sluice.child.status, "the exit")).code, 143);
  await reader.cancel().catch(() => {});
});
