import { createHash } from "node:crypto";
import { finallyStream } from "../src/streams/finally_stream.ts";
import { hashProgressStream } from "../src/streams/hash_progress_stream.ts";
import { NdjsonEncoderStream } from "../src/streams/ndjson_encoder_stream.ts";
import { NdjsonLineStream } from "../src/streams/ndjson_line_stream.ts";
import { pacedStream } from "../src/streams/paced_stream.ts";
import { tokenize } from "../src/text/tokenize.ts";
import { assertEquals, assertOk, assertRejects } from "./helpers/assert.ts";

/** A source that never produces and records its cancellation. */
function silentSource<T>() {
  const cancelled = Promise.withResolvers<unknown>();
  const stream = new ReadableStream<T>({ cancel: (reason) => cancelled.resolve(reason) });
  return { stream, cancelled: cancelled.promise };
}

Deno.test("finallyStream() runs its callback once on end and once on cancel", async () => {
  let calls = 0;
  await Array.fromAsync(finallyStream(ReadableStream.from([1, 2]), () => calls++));
  assertEquals(calls, 1);
  const source = silentSource<number>();
  const stream = finallyStream(source.stream, () => calls++);
  await stream.cancel("gone");
  assertEquals(calls, 2);
  assertEquals(await source.cancelled, "gone");
});

Deno.test("pacedStream() yields in order and closes right after the last item", async () => {
  assertEquals(await Array.fromAsync(pacedStream([3, 2, 1], 10)), [3, 2, 1]);
  assertEquals(await Array.fromAsync(pacedStream([], 10)), []);
});

Deno.test("pacedStream() cancel stops the generator and its timer", async () => {
  let finalized = false;
  function* numbers() {
    try {
      for (let i = 0;; i++) yield i;
    } finally {
      finalized = true;
    }
  }
  const reader = pacedStream(numbers(), 60_000).getReader();
  assertEquals((await reader.read()).value, 0);
  const pending = reader.read(); // waits on the 60 s timer
  await reader.cancel();
  assertEquals((await pending).done, true);
  assertOk(finalized);
});

Deno.test("NdjsonLineStream splits lines across chunks as each completes", async () => {
  const lines = await Array.fromAsync(
    ReadableStream.from(['{"a":', '1}\r\n\n{"b"', ":2}\n", '{"c":3}'])
      .pipeThrough(new NdjsonLineStream()),
  );
  assertEquals(lines, ['{"a":1}', '{"b":2}', '{"c":3}']);
});

Deno.test("NdjsonLineStream errors on a line longer than the limit", async (t) => {
  const cases: [string, string[]][] = [
    ["an unfinished line", ["x".repeat(20)]],
    ["a whole line in one chunk", [`${"x".repeat(20)}\n{}\n`]],
    ["a whole last line", [`{}\n${"x".repeat(20)}`]],
  ];
  for (const [label, chunks] of cases) {
    await t.step(label, async () => {
      const stream = ReadableStream.from(chunks).pipeThrough(
        new NdjsonLineStream({ maxLineLength: 10 }),
      );
      await assertRejects(() => Array.fromAsync(stream), RangeError);
    });
  }
});

Deno.test("NdjsonEncoderStream writes one JSON line per value", async () => {
  const chunks = await Array.fromAsync(
    ReadableStream.from([{ step: 1 }, "x"]).pipeThrough(new NdjsonEncoderStream()),
  );
  assertEquals(chunks.map((c) => new TextDecoder().decode(c)), ['{"step":1}\n', '"x"\n']);
});

/** An in-memory file for hashing, recording `close()`. */
function memorySource(bytes: Uint8Array) {
  let position = 0;
  const state = { closed: false, reads: 0 };
  return {
    state,
    read(buffer: Uint8Array) {
      state.reads++;
      const n = Math.min(buffer.length, bytes.length - position);
      if (n <= 0) return Promise.resolve(null);
      buffer.set(bytes.subarray(position, position + n));
      position += n;
      return Promise.resolve(n);
    },
    close() {
      state.closed = true;
    },
  };
}

Deno.test("hashProgressStream() reports rising progress and the right digest", async () => {
  const bytes = new Uint8Array(10_000).map((_, i) => i % 251);
  const file = memorySource(bytes);
  const out = await Array.fromAsync(hashProgressStream(file, bytes.length, "sha256", 1000));
  assertEquals(out.at(-1), {
    algorithm: "sha256",
    digest: createHash("sha256").update(bytes).digest("hex"),
    bytes: 10_000,
  });
  const percents = out.slice(0, -1).map((p) => "percent" in p ? p.percent : -1);
  assertEquals(percents, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  assertOk(file.state.closed);
});

Deno.test("hashProgressStream() cancel stops reading and closes the file", async () => {
  const file = memorySource(new Uint8Array(100_000));
  const reader = hashProgressStream(file, 100_000, "sha256", 1000).getReader();
  await reader.read();
  await reader.read();
  await reader.cancel();
  assertOk(file.state.closed);
  assertOk(file.state.reads < 100, `read ${file.state.reads} chunks after cancel`);
});

Deno.test("tokenize() never splits a grapheme and joins back to the text", async (t) => {
  const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const texts = [
    "Hello, world!",
    "안녕하세요여러분반갑습니다 세계",
    "family 👩‍👩‍👧‍👦 flags 🇰🇷🇫🇷 skin 👋🏽",
    "e\u0301 combining, 한국어와 English mixed\nnew line",
  ];
  for (const text of texts) {
    await t.step(text, () => {
      const tokens = tokenize(text, 3);
      assertEquals(tokens.join(""), text);
      const boundaries = new Set([...graphemes.segment(text)].map((g) => g.index));
      boundaries.add(text.length);
      let offset = 0;
      for (const token of tokens) {
        offset += token.length;
        assertOk(boundaries.has(offset), `token ${JSON.stringify(token)} ends inside a grapheme`);
      }
    });
  }
});
