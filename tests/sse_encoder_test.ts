import fc from "fast-check";
import {
  SseEncoderStream,
  type SseMessage,
  stringifySseMessage,
} from "../src/streams/sse_encoder_stream.ts";
import { assertEquals, assertThrows } from "./helpers/assert.ts";
import { allSseEvents, SseParser } from "./helpers/sse_parser.ts";

Deno.test("stringifySseMessage() writes the fields in wire format", async (t) => {
  const rows: [string, SseMessage, string][] = [
    ["data only", { data: "hello" }, "data: hello\n\n"],
    ["multi-line data", { data: "a\nb" }, "data: a\ndata: b\n\n"],
    ["CRLF and CR in data", { data: "a\r\nb\rc" }, "data: a\ndata: b\ndata: c\n\n"],
    [
      "event, id, data",
      { event: "done", id: 0, data: "liftoff" },
      "event: done\nid: 0\ndata: liftoff\n\n",
    ],
    ["retry hint", { retry: 2000 }, "retry: 2000\n\n"],
    ["comment", { comment: "heartbeat" }, ": heartbeat\n\n"],
    ["multi-line comment", { comment: "a\nb" }, ": a\n: b\n\n"],
    ["empty data keeps its line", { data: "" }, "data: \n\n"],
  ];
  for (const [name, message, expected] of rows) {
    await t.step(name, () => assertEquals(stringifySseMessage(message), expected));
  }
});

Deno.test("stringifySseMessage() throws TypeError for a newline in event or id", async (t) => {
  const bad: [string, SseMessage][] = [
    ["LF in event", { event: "a\nb" }],
    ["CR in event", { event: "a\rb" }],
    ["LF in id", { id: "1\n2" }],
    ["NUL in id", { id: "1\u00002" }],
    ["fractional retry", { retry: 1.5 }],
    ["negative retry", { retry: -1 }],
  ];
  for (const [name, message] of bad) {
    await t.step(name, () => assertThrows(() => stringifySseMessage(message), TypeError));
  }
});

Deno.test("SseEncoderStream round-trips through an EventSource parser", async () => {
  const field = fc.string({ unit: "binary", minLength: 1 }).filter((s) => !/[\r\n\0]/.test(s));
  const message = fc.record({
    event: field,
    id: field,
    data: fc.string({ unit: "binary", minLength: 1 }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 5 }), async (messages) => {
      const body = ReadableStream.from(messages).pipeThrough(new SseEncoderStream());
      const events = await allSseEvents(body);
      // EventSource normalises every line break in data to LF.
      assertEquals(
        events,
        messages.map((m) => ({
          type: m.event,
          data: m.data.replace(/\r\n|\r/g, "\n"),
          lastEventId: m.id,
        })),
      );
    }),
    { numRuns: 200 },
  );
});

Deno.test("SseEncoderStream emits one chunk per message", async () => {
  const chunks = await Array.fromAsync(
    ReadableStream.from<SseMessage>([{ data: "a" }, { comment: "x" }, { data: "b" }])
      .pipeThrough(new SseEncoderStream()),
  );
  assertEquals(chunks.map((c) => new TextDecoder().decode(c)), [
    "data: a\n\n",
    ": x\n\n",
    "data: b\n\n",
  ]);
});

Deno.test("SseParser handles a CRLF split across chunks and keeps the retry and id", () => {
  const parser = new SseParser();
  assertEquals(parser.feed("retry: 1500\r\nid: 7\r"), []);
  assertEquals(parser.feed("\ndata: x\r"), []);
  assertEquals(parser.feed("\n\r\n"), [{ type: "message", data: "x", lastEventId: "7" }]);
  assertEquals(parser.retry, 1500);
});

Deno.test("SseParser follows the examples of the HTML event-stream specification", async (t) => {
  const parse = (text: string) => new SseParser().feed(text);
  await t.step("comment, ids, and an unterminated last block", () => {
    const events = parse(
      ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n",
    );
    assertEquals(events, [
      { type: "message", data: "first event", lastEventId: "1" },
      { type: "message", data: "second event", lastEventId: "" },
    ]);
  });
  await t.step("fields without a colon", () => {
    assertEquals(parse("data\n\ndata\ndata\n\ndata:").map((e) => e.data), ["", "\n"]);
  });
  await t.step("one optional space after the colon", () => {
    assertEquals(parse("data:test\n\ndata: test\n\n").map((e) => e.data), ["test", "test"]);
  });
  await t.step("an empty data buffer dispatches nothing but keeps the id", () => {
    const parser = new SseParser();
    assertEquals(parser.feed("id: 7\nevent: x\n\n"), []);
    assertEquals(parser.lastEventId, "7");
    assertEquals(parser.feed("data: y\n\n"), [{ type: "message", data: "y", lastEventId: "7" }]);
  });
});
