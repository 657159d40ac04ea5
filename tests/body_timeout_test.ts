import { HttpError } from "../src/http/http_error.ts";
import { IdleTimeoutStream } from "../src/streams/idle_timeout_stream.ts";
import { assertEquals, assertOk, assertRejects } from "./helpers/assert.ts";
import { startUpload } from "./helpers/raw_http.ts";
import { startStatefulServer, startTestServer, tempDir } from "./helpers/server.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("IdleTimeoutStream passes chunks that keep coming and ends normally", async () => {
  const source = ReadableStream.from((async function* () {
    for (const part of ["a", "b", "c"]) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      yield bytes(part);
    }
  })());
  const chunks = await Array.fromAsync(source.pipeThrough(new IdleTimeoutStream(500)));
  assertEquals(chunks.map((c) => new TextDecoder().decode(c)).join(""), "abc");
});

Deno.test("IdleTimeoutStream errors with 408 when the source goes silent", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  writer.write(bytes("first"));
  const reader = readable.pipeThrough(new IdleTimeoutStream(50)).getReader();
  assertEquals((await reader.read()).value, bytes("first"));
  let caught: unknown;
  await assertRejects(async () => {
    try {
      await reader.read();
    } catch (error) {
      caught = error;
      throw error;
    }
  });
  assertOk(caught instanceof HttpError && caught.status === 408);
  await writer.abort().catch(() => {});
});

Deno.test("IdleTimeoutStream(0) never times out", async () => {
  const source = ReadableStream.from((async function* () {
    await new Promise((resolve) => setTimeout(resolve, 60));
    yield bytes("late");
  })());
  const chunks = await Array.fromAsync(source.pipeThrough(new IdleTimeoutStream(0)));
  assertEquals(chunks.length, 1);
});

Deno.test("upload() answers 408 to a PUT body that stalls, keeps the old file, leaves no temp", async () => {
  await using dir = await tempDir({ "a.txt": "old" });
  await using server = startTestServer(dir.path, { upload: true, bodyTimeout: 200 });
  using connection = await startUpload(server.url, "PUT", "/a.txt", { "content-length": "10" });
  await connection.write("new");
  const response = await connection.read();
  assertEquals(response.status, 408);
  assertEquals(new TextDecoder().decode(response.body), "Request body timed out\n");
  assertEquals(await Deno.readTextFile(`${dir.path}/a.txt`), "old");
  assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name), ["a.txt"]);
  assertEquals(server.state.openStreams().upload, 0);
});

Deno.test("appendUpload() answers 408 to a PATCH that stalls and keeps the bytes that arrived", async () => {
  await using dir = await tempDir();
  await using server = await startStatefulServer(dir.path, { upload: true, bodyTimeout: 200 });
  const created = await fetch(server.href("/_/uploads/"), {
    method: "POST",
    headers: {
      "tus-resumable": "1.0.0",
      "upload-length": "10",
      "upload-metadata": `filename ${btoa("t.txt")}`,
    },
  });
  await created.body?.cancel();
  const location = new URL(created.headers.get("location")!, server.url);
  {
    using connection = await startUpload(server.url, "PATCH", location.pathname, {
      "tus-resumable": "1.0.0",
      "upload-offset": "0",
      "content-type": "application/offset+octet-stream",
      "content-length": "10",
    });
    await connection.write("abc");
    assertEquals((await connection.read()).status, 408);
  }
  const head = await fetch(location, { method: "HEAD", headers: { "tus-resumable": "1.0.0" } });
  assertEquals(head.headers.get("upload-offset"), "3");
});
