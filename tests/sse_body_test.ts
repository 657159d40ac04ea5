import { sseBody, type SseBodyOptions } from "../src/streams/sse_body_stream.ts";
import type { SseMessage } from "../src/streams/sse_encoder_stream.ts";
import { assertEquals, assertRejects } from "./helpers/assert.ts";

/** A source that never produces and records its cancellation. */
function silentSource<T>() {
  const cancelled = Promise.withResolvers<unknown>();
  const stream = new ReadableStream<T>({ cancel: (reason) => cancelled.resolve(reason) });
  return { stream, cancelled: cancelled.promise };
}

function options(
  overrides: Partial<SseBodyOptions<string>> = {},
): SseBodyOptions<string> & { released: () => number } {
  let released = 0;
  return {
    toMessage: (data) => ({ data }),
    prelude: { retry: 2000 },
    heartbeatMs: 60_000,
    heartbeat: { comment: "heartbeat" },
    signal: new AbortController().signal,
    last: { event: "shutdown" },
    release: () => released++,
    released: () => released,
    ...overrides,
  };
}

const decoder = new TextDecoder();
async function text(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string | null> {
  const { done, value } = await reader.read();
  return done ? null : decoder.decode(value);
}

Deno.test("sseBody() sends the prelude, then each item encoded, and releases at the end", async () => {
  const opts = options();
  const chunks = await Array.fromAsync(sseBody(ReadableStream.from(["a", "b\nc"]), opts));
  assertEquals(chunks.map((c) => decoder.decode(c)), [
    "retry: 2000\n\n",
    "data: a\n\n",
    "data: b\ndata: c\n\n",
  ]);
  assertEquals(opts.released(), 1);
});

Deno.test("sseBody() beats while the source is quiet and cancel reaches the source", async () => {
  const source = silentSource<string>();
  const opts = options({ heartbeatMs: 10 });
  const reader = sseBody(source.stream, opts).getReader();
  assertEquals(await text(reader), "retry: 2000\n\n");
  assertEquals(await text(reader), ": heartbeat\n\n");
  assertEquals(await text(reader), ": heartbeat\n\n");
  await reader.cancel("client left");
  assertEquals(await source.cancelled, "client left");
  assertEquals(opts.released(), 1);
});

Deno.test("sseBody() sends the last message on abort, cancels the source and releases once", async () => {
  const source = silentSource<string>();
  const controller = new AbortController();
  const opts = options({ signal: controller.signal });
  const reader = sseBody(source.stream, opts).getReader();
  await text(reader);
  const next = text(reader);
  controller.abort();
  assertEquals(await next, "event: shutdown\n\n");
  assertEquals(await text(reader), null);
  assertEquals(await source.cancelled, "Shutting down");
  await reader.cancel();
  assertEquals(opts.released(), 1);
});

Deno.test("sseBody() ends at once when the signal aborted before the first item", async () => {
  const controller = new AbortController();
  controller.abort();
  const opts = options({ signal: controller.signal });
  const chunks = await Array.fromAsync(sseBody(silentSource<string>().stream, opts));
  assertEquals(chunks.map((c) => decoder.decode(c)), ["retry: 2000\n\n", "event: shutdown\n\n"]);
  assertEquals(opts.released(), 1);
});

Deno.test("sseBody() releases and errors when a message cannot be encoded", async () => {
  const opts = options({ toMessage: (id): SseMessage => ({ id }) });
  const reader = sseBody(ReadableStream.from(["bad\nid"]), opts).getReader();
  await text(reader);
  await assertRejects(() => reader.read(), TypeError);
  assertEquals(opts.released(), 1);
});

Deno.test("sseBody() maps and encodes an item shared by many bodies once", async () => {
  const item = { path: "a.txt" };
  let mapped = 0;
  const toMessage = (i: { path: string }): SseMessage => {
    mapped++;
    return { event: "created", data: JSON.stringify(i) };
  };
  const bodies = Array.from({ length: 3 }, () =>
    sseBody(ReadableStream.from([item]), {
      ...options(),
      toMessage,
    } as unknown as SseBodyOptions<{ path: string }>));
  const encoded = await Promise.all(bodies.map(async (body) => (await Array.fromAsync(body))[1]));
  assertEquals(mapped, 1);
  assertEquals(decoder.decode(encoded[0]), 'event: created\ndata: {"path":"a.txt"}\n\n');
  assertEquals(encoded[1] === encoded[0] && encoded[2] === encoded[0], true);
});
