/**
 * The relay's pure layer: upstream event-stream decoding, OpenAI-style
 * stream events, upstream status failures, upstream requests and the
 * browser's chat requests.
 * @module
 */
import fc from "fast-check";
import { assertEquals, assertThrows } from "./helpers/assert.ts";
import { SseDecoder, type SseEvent } from "../src/llm/sse_decoder.ts";
import { parseStreamEvent, type StreamItem } from "../src/llm/openai_stream.ts";
import { statusFailure } from "../src/llm/chat_failure.ts";
import { upstreamEndpoint, upstreamRequest } from "../src/llm/upstream_request.ts";
import { chatFromJson, chatFromQuery } from "../src/llm/chat_request.ts";
import { Secret } from "../src/config/secret.ts";
import { HttpError } from "../src/http/http_error.ts";

Deno.test("SseDecoder.feed() follows the event-stream rules", async (t) => {
  const rows: [string, string[], SseEvent[]][] = [
    ["one event", ["data: a\n\n"], [{ event: "", data: "a" }]],
    ["CRLF and CR line breaks", ["data: a\r\n\r\ndata: b\r\r"], [
      { event: "", data: "a" },
      { event: "", data: "b" },
    ]],
    ["a CRLF split across chunks", ["data: a\r", "\n\r", "\n"], [{ event: "", data: "a" }]],
    ["multi-line data", ["data: a\ndata:b\ndata:  c\n\n"], [{ event: "", data: "a\nb\n c" }]],
    ["an event name", ["event: response.completed\ndata: {}\n\n"], [
      { event: "response.completed", data: "{}" },
    ]],
    ["comments, id and retry ignored", [": ping\nid: 7\nretry: 10\ndata: x\n\n"], [
      { event: "", data: "x" },
    ]],
    ["no event without data", ["event: ping\n\n", "data: y\n\n"], [{ event: "", data: "y" }]],
    ["a field without a colon", ["data\n\n"], [{ event: "", data: "" }]],
    ["an unfinished event is held", ["data: a\n"], []],
    ["a line split across chunks", ['data: {"a"', ":1}\n\n"], [{ event: "", data: '{"a":1}' }]],
  ];
  for (const [name, chunks, expected] of rows) {
    await t.step(name, () => {
      const decoder = new SseDecoder();
      assertEquals(chunks.flatMap((chunk) => decoder.feed(chunk)), expected);
    });
  }
});

Deno.test("SseDecoder.feed() gives the same events however the text is split", () => {
  const line = fc.oneof(
    fc.string({ unit: fc.constantFrom("a", "é", "👋", " ", ":") }).map((v) => `data: ${v}`),
    fc.constantFrom("", ": comment", "event: x", "data"),
  );
  fc.assert(fc.property(
    fc.array(line, { maxLength: 20 }),
    fc.constantFrom("\n", "\r\n", "\r"),
    fc.array(fc.nat(), { maxLength: 10 }),
    (lines, eol, cuts) => {
      const text = lines.map((l) => l + eol).join("");
      const whole = new SseDecoder().feed(text);
      const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      const decoder = new SseDecoder();
      const pieces = [0, ...points, text.length].slice(1).map((end, i, ends) =>
        text.slice(i === 0 ? 0 : ends[i - 1], end)
      );
      assertEquals(pieces.flatMap((piece) => decoder.feed(piece)), whole);
    },
  ));
});

Deno.test("SseDecoder.feed() refuses a line or an event past the limit", () => {
  assertThrows(() => new SseDecoder(10).feed("data: 0123456789"), RangeError);
  const decoder = new SseDecoder(10);
  assertThrows(() => decoder.feed("data: 01234\ndata: 56789\n"), RangeError);
  assertEquals(new SseDecoder(10).feed("data: 01234\n\n"), [{ event: "", data: "01234" }]);
});

const chunk = (delta: unknown, extra: object = {}) =>
  JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta }], ...extra });

Deno.test("parseStreamEvent() reads Chat Completions and Responses API events", async (t) => {
  const rows: [string, SseEvent, StreamItem][] = [
    ["a content delta", { event: "", data: chunk({ content: "Hi" }) }, {
      type: "delta",
      text: "Hi",
    }],
    ["a role announcement", { event: "", data: chunk({ role: "assistant", content: "" }) }, {
      type: "skip",
    }],
    ["a null content (tool call)", { event: "", data: chunk({ content: null, tool_calls: [] }) }, {
      type: "skip",
    }],
    ["the finish chunk", { event: "", data: chunk({}, { finish_reason: "stop" }) }, {
      type: "skip",
    }],
    ["a usage chunk", { event: "", data: '{"choices":[],"usage":{"total_tokens":3}}' }, {
      type: "skip",
    }],
    ["[DONE]", { event: "", data: "[DONE]" }, { type: "done" }],
    [
      "only the first choice",
      {
        event: "",
        data: JSON.stringify({
          choices: [{ index: 1, delta: { content: "B" } }, { index: 0, delta: { content: "A" } }],
        }),
      },
      { type: "delta", text: "A" },
    ],
    [
      "an in-stream error, by code",
      { event: "", data: '{"error":{"message":"quota of sk-…","code":"insufficient_quota"}}' },
      { type: "error", reason: "Upstream error: insufficient_quota" },
    ],
    [
      "an in-stream error without a plain code",
      { event: "", data: '{"error":{"message":"x","code":"has spaces"}}' },
      { type: "error", reason: "Upstream reported an error" },
    ],
    [
      "response.output_text.delta",
      {
        event: "response.output_text.delta",
        data: '{"type":"response.output_text.delta","delta":"Yo","output_index":0}',
      },
      { type: "delta", text: "Yo" },
    ],
    [
      "a Responses event named only by event:",
      { event: "response.output_text.delta", data: '{"delta":"Yo"}' },
      { type: "delta", text: "Yo" },
    ],
    ["response.created", { event: "", data: '{"type":"response.created","response":{}}' }, {
      type: "skip",
    }],
    ["response.completed", { event: "", data: '{"type":"response.completed","response":{}}' }, {
      type: "done",
    }],
    [
      "response.failed",
      {
        event: "",
        data:
          '{"type":"response.failed","response":{"error":{"code":"server_error","message":"…"}}}',
      },
      { type: "error", reason: "Upstream error: server_error" },
    ],
    ["a Responses error event", {
      event: "error",
      data: '{"type":"error","code":"rate_limit_exceeded"}',
    }, {
      type: "error",
      reason: "Upstream error: rate_limit_exceeded",
    }],
    ["not JSON", { event: "", data: "{oops" }, {
      type: "malformed",
      reason: "Upstream sent an event that is not JSON",
    }],
    ["a JSON string", { event: "", data: '"hi"' }, {
      type: "malformed",
      reason: "Upstream sent an event that is not a JSON object",
    }],
    ["an unknown object", { event: "", data: '{"hello":1}' }, {
      type: "malformed",
      reason: "Upstream sent an unknown event",
    }],
    ["content that is not text", { event: "", data: chunk({ content: 42 }) }, {
      type: "malformed",
      reason: "Upstream delta content is not text",
    }],
    ["choices that are not a list", { event: "", data: '{"choices":{}}' }, {
      type: "malformed",
      reason: "Upstream chunk has no choices",
    }],
  ];
  for (const [name, event, expected] of rows) {
    await t.step(name, () => assertEquals(parseStreamEvent(event), expected));
  }
});

Deno.test("statusFailure() names the status and never reads the body", async (t) => {
  const rows: [number, string | null, string, string][] = [
    [401, null, "auth", "Upstream refused the API key (401)"],
    [403, null, "auth", "Upstream refused the API key (403)"],
    [429, "20", "rate_limit", "Upstream rate limit reached (429), retry after 20 s"],
    [
      429,
      "Wed, 21 Oct 2026 07:28:00 GMT",
      "rate_limit",
      "Upstream rate limit reached (429), retry after Wed, 21 Oct 2026 07:28:00 GMT",
    ],
    [429, "<script>", "rate_limit", "Upstream rate limit reached (429)"],
    [429, null, "rate_limit", "Upstream rate limit reached (429)"],
    [404, null, "status", "Upstream has no such endpoint or model (404)"],
    [400, null, "status", "Upstream rejected the request (400)"],
    [503, "5", "status", "Upstream failed (503)"],
  ];
  for (const [status, retryAfter, kind, reason] of rows) {
    await t.step(`${status} ${retryAfter ?? ""}`, () => {
      assertEquals(statusFailure(status, retryAfter), { kind, reason });
    });
  }
});

Deno.test("upstreamEndpoint() appends /chat/completions to a base URL only", async (t) => {
  const rows: [string, string, "chat" | "responses"][] = [
    ["https://api.openai.com/v1", "https://api.openai.com/v1/chat/completions", "chat"],
    ["http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1/chat/completions", "chat"],
    ["http://localhost:11434/v1", "http://localhost:11434/v1/chat/completions", "chat"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080/chat/completions", "chat"],
    ["http://h/v1/chat/completions", "http://h/v1/chat/completions", "chat"],
    ["https://api.openai.com/v1/responses", "https://api.openai.com/v1/responses", "responses"],
  ];
  for (const [base, url, api] of rows) {
    await t.step(base, () => assertEquals(upstreamEndpoint(base), { url, api }));
  }
});

Deno.test("upstreamRequest() streams, names the model and sends the key as a Bearer token", () => {
  const messages = [{ role: "user" as const, content: "Hi" }];
  const llm = { url: "http://h/v1", model: "m", key: new Secret("sk-1"), timeout: 1, idle: 1 };
  const chat = upstreamRequest(llm, messages);
  assertEquals(chat.url, "http://h/v1/chat/completions");
  assertEquals(JSON.parse(chat.body), { model: "m", messages, stream: true });
  assertEquals(chat.headers.get("authorization"), "Bearer sk-1");
  assertEquals(chat.headers.get("accept"), "text/event-stream");
  const responses = upstreamRequest(
    { ...llm, url: "http://h/v1/responses", model: null, key: null },
    messages,
  );
  assertEquals(JSON.parse(responses.body), { input: messages, stream: true });
  assertEquals(responses.headers.has("authorization"), false);
});

Deno.test("chatFromQuery() and chatFromJson() build the conversation", () => {
  assertEquals(chatFromQuery(new URLSearchParams("message=Hi%20there")), [
    { role: "user", content: "Hi there" },
  ]);
  assertEquals(
    chatFromJson(
      '{"message":"And?","history":[{"role":"user","content":"A"},{"role":"assistant","content":"B"}]}',
    ),
    [
      { role: "user", content: "A" },
      { role: "assistant", content: "B" },
      { role: "user", content: "And?" },
    ],
  );
  assertThrows(() => chatFromJson('{"message":"x","history":{}}'), HttpError);
  assertThrows(() => chatFromJson('{"message":7}'), HttpError);
});
