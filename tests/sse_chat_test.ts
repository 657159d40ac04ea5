/**
 * The language-model relay `/_/sse/chat` against an OpenAI-compatible
 * upstream written here (tests/helpers/fake_llm.ts), over real sockets.
 * @module
 */
// @ts-types="./helpers/openai_types.d.ts"
import OpenAI from "openai";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { captureConsole } from "./helpers/console.ts";
import { deadline } from "./helpers/deadline.ts";
import { type FakeScript, startFakeLlm, UPSTREAM_ERROR_BODY } from "./helpers/fake_llm.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";
import { allSseEvents, type SseEvent, sseEvents } from "./helpers/sse_parser.ts";
import type { Config } from "../src/config/parse_config.ts";
import { Secret } from "../src/config/secret.ts";
import { streamsClosed } from "../src/stream_slots.ts";

const KEY = "sk-test-0123456789-SECRET";

/** A relay config for `url` (the fake's base URL) with test-friendly limits. */
function llmConfig(
  url: string,
  overrides: Partial<NonNullable<Config["llm"]>> = {},
): Config["llm"] {
  return {
    url,
    model: "fake-model",
    key: new Secret(KEY),
    timeout: 30_000,
    idle: 10_000,
    ...overrides,
  };
}

/** Sluice relaying to a fresh fake upstream that follows `script`. */
async function relay(script: FakeScript, overrides: Partial<Config> = {}) {
  const dir = await tempDir();
  const llm = startFakeLlm(script);
  const server = startTestServer(dir.path, { llm: llmConfig(llm.url), ...overrides });
  return {
    llm,
    server,
    async [Symbol.asyncDispose]() {
      await server[Symbol.asyncDispose]();
      await llm[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** The events of a chat answer, read to the end. */
async function chat(url: string, init?: RequestInit): Promise<SseEvent[]> {
  const res = await fetch(url, init);
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  return await deadline(allSseEvents(res.body!), "the end of the answer");
}

const ask = (message: string) => `/_/sse/chat?message=${encodeURIComponent(message)}`;

Deno.test("startFakeLlm() speaks the wire format the official openai client parses", async (t) => {
  await using llm = startFakeLlm({ tokens: ["Hi", ", ", "wörld 👋"] });
  const client = new OpenAI({ baseURL: llm.url, apiKey: KEY, maxRetries: 0 });
  await t.step("Chat Completions", async () => {
    const stream = await client.chat.completions.create({
      model: "fake",
      messages: [{ role: "user", content: "hello" }],
      stream: true,
    });
    const text: string[] = [];
    for await (const chunk of stream) text.push(chunk.choices[0]?.delta?.content ?? "");
    assertEquals(text.join(""), "Hi, wörld 👋");
  });
  await t.step("Responses API", async () => {
    llm.script = { api: "responses", tokens: ["A", "B"] };
    const stream = await client.responses.create({ model: "fake", input: "x", stream: true });
    const types: string[] = [];
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta ?? "";
    }
    assertEquals(text, "AB");
    assertEquals(types.at(-1), "response.completed");
  });
  await t.step("an in-stream error", async () => {
    llm.script = { tokens: ["A"], after: "error" };
    const stream = await client.chat.completions.create({
      model: "fake",
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    let failed = false;
    try {
      for await (const _ of stream) { /* read on */ }
    } catch (error) {
      failed = error instanceof OpenAI.APIError;
    }
    assertOk(failed, "the client raises the upstream's error");
  });
  assertEquals(llm.requests.map((r) => r.authorization), Array(3).fill(`Bearer ${KEY}`));
});

Deno.test("sseChat() relays each delta as it arrives, in order, then [DONE]", async () => {
  const tokens = ["Hello", ",", " 세계", " 👋🏽", " line\nbreak", " end"];
  // Lockstep: the upstream sends token i only once the client has token i-1,
  // so a relay that waited for more than one upstream chunk would hang here.
  const received: number[] = [];
  const arrivals: PromiseWithResolvers<void>[] = tokens.map(() => Promise.withResolvers());
  await using r = await relay({
    tokens,
    gate: (i) => i === 0 ? Promise.resolve() : arrivals[i - 1].promise,
  });
  const res = await fetch(r.server.href(ask("Say hello")));
  const events: SseEvent[] = [];
  for await (const event of sseEvents(res.body!)) {
    events.push(event);
    if (event.data !== "[DONE]") {
      received.push(performance.now());
      arrivals[received.length - 1].resolve();
    }
  }
  assertEquals(events.map((e) => e.data), [...tokens, "[DONE]"]);
  assertEquals(events.map((e) => e.lastEventId), tokens.map((_, i) => String(i + 1)).concat("7"));
  assertEquals(events.every((e) => e.type === "message"), true);
  const [upstream] = r.llm.requests;
  assertEquals(upstream.path, "/v1/chat/completions");
  assertEquals(upstream.body, {
    model: "fake-model",
    messages: [{ role: "user", content: "Say hello" }],
    stream: true,
  });
  const latencies = received.map((at, i) => at - upstream.sent[i]);
  console.log(
    `relay latency per token (ms): ${latencies.map((ms) => ms.toFixed(1)).join(", ")}; ` +
      `max ${Math.max(...latencies).toFixed(1)}`,
  );
});

Deno.test("sseChat() aborts the upstream request within a second of the client leaving", async (t) => {
  for (const when of ["mid-answer", "before the first token"] as const) {
    await t.step(when, async () => {
      // Heartbeats and the idle limit far away: only the disconnect can end it.
      await using r = await relay(
        when === "mid-answer" ? { tokens: ["one", " two"], after: "stall" } : {
          tokens: ["never"],
          gate: () => new Promise(() => {}),
        },
        { heartbeat: 60_000 },
      );
      const controller = new AbortController();
      const upstream = r.llm.nextRequest();
      const res = await fetch(r.server.href(ask("Go")), { signal: controller.signal });
      const reader = res.body!.getReader();
      await deadline(upstream, "the upstream request");
      if (when === "mid-answer") {
        let text = "";
        while (!text.includes(" two")) {
          const { done, value } = await deadline(reader.read(), "the second token");
          assertOk(!done, `the stream ended before " two": ${text}`);
          text += new TextDecoder().decode(value);
        }
      }
      const left = performance.now();
      controller.abort();
      await reader.cancel().catch(() => {});
      const closedAt = await deadline((await upstream).closed, "the upstream disconnect");
      const ms = closedAt - left;
      console.log(`upstream saw the client leave after ${ms.toFixed(1)} ms (${when})`);
      assertOk((await upstream).aborted, "the upstream saw a disconnect, not an end");
      assertOk(ms < 1000, `${ms} ms`);
      await deadline(streamsClosed(r.server.state), "the stream slot's release");
    });
  }
});

Deno.test("sseChat() relays a Responses API upstream and sends the POSTed history", async () => {
  await using r = await relay({ api: "responses", tokens: ["Bonjour", " !"] });
  // A full endpoint URL picks the API.
  await using s = startTestServer(r.server.store.root, {
    llm: llmConfig(`${r.llm.url}/responses`, { model: null, key: null }),
  });
  const history = [
    { role: "user", content: "Say hi" },
    { role: "assistant", content: "Hi" },
  ];
  const events = await chat(s.href("/_/sse/chat"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message: "And in French?", history }),
  });
  assertEquals(events.map((e) => e.data), ["Bonjour", " !", "[DONE]"]);
  const [upstream] = r.llm.requests;
  assertEquals(upstream.path, "/v1/responses");
  assertEquals(upstream.authorization, null, "no key configured: no Authorization");
  assertEquals(upstream.body, {
    input: [...history, { role: "user", content: "And in French?" }],
    stream: true,
  });
});

/** A port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

Deno.test("sseChat() turns every upstream failure into one error event and counts it", async (t) => {
  const rows: [string, FakeScript, Partial<NonNullable<Config["llm"]>>, string, string][] = [
    [
      "unreachable",
      {},
      { url: `http://127.0.0.1:${closedPort()}/v1` },
      "unreachable",
      "Upstream unreachable",
    ],
    ["401", { status: 401 }, {}, "auth", "Upstream refused the API key (401)"],
    [
      "429 with Retry-After",
      { status: 429, headers: { "retry-after": "20" } },
      {},
      "rate_limit",
      "Upstream rate limit reached (429), retry after 20 s",
    ],
    ["500", { status: 500 }, {}, "status", "Upstream failed (500)"],
    [
      "not JSON",
      { tokens: ["a"], after: "garbage" },
      {},
      "malformed",
      "Upstream sent an event that is not JSON",
    ],
    [
      "not an event stream",
      { tokens: ["a"], contentType: "application/json" },
      {},
      "malformed",
      "Upstream did not answer with an event stream",
    ],
    [
      "cut short",
      { tokens: ["a"], after: "end" },
      {},
      "malformed",
      "Upstream stream ended before the answer did",
    ],
    ["dropped", { tokens: ["a"], after: "drop" }, {}, "unreachable", "Upstream connection lost"],
    [
      "in-stream error",
      { tokens: ["a"], after: "error" },
      {},
      "upstream",
      "Upstream error: server_error",
    ],
    [
      "idle",
      { tokens: ["a"], after: "stall" },
      { idle: 300 },
      "timeout",
      "Upstream sent nothing for 0.3 s",
    ],
    [
      "total time",
      { tokens: Array(100).fill("a"), delay: 50 },
      { timeout: 1000 },
      "timeout",
      "Upstream took longer than 1 s",
    ],
  ];
  await using dir = await tempDir();
  await using llm = startFakeLlm();
  for (const [name, script, overrides, kind, reason] of rows) {
    await t.step(name, async () => {
      llm.script = script;
      await using server = startTestServer(dir.path, { llm: llmConfig(llm.url, overrides) });
      const before = llm.requests.length;
      const events = await chat(server.href(ask("Hi")));
      const errors = events.filter((e) => e.type === "error");
      assertEquals(errors.map((e) => e.data), [reason]);
      assertEquals(events.at(-1)?.type, "error", "the error ends the stream");
      assertOk(!events.some((e) => e.data === "[DONE]"));
      assertOk(events.slice(0, -1).every((e) => e.data === "a"), "only the sent deltas before it");
      const text = JSON.stringify(events);
      assertOk(
        !text.includes(KEY) && !text.includes("secret") && !text.includes(UPSTREAM_ERROR_BODY),
      );
      if (llm.requests.length > before) {
        // The relay lets go of an upstream it gave up on.
        await deadline(llm.requests.at(-1)!.closed, "the upstream request's end");
      }
      const metrics = await (await fetch(server.href("/_/metrics"))).text();
      assertOk(
        metrics.includes(`sluice_chat_failures_total{reason="${kind}"} 1`),
        metrics.split("\n").filter((l) => l.includes("chat")).join("\n"),
      );
    });
  }
});

Deno.test("sseChat() never shows the key in a response, a log line or a metric", async () => {
  await using r = await relay({ tokens: ["ok"] }, { quiet: false });
  const seen: string[] = [];
  const logs = await captureConsole("log", async () => {
    const errors = await captureConsole("error", async () => {
      seen.push(JSON.stringify(await chat(r.server.href(ask("Hi")))));
      r.llm.script = { status: 401 };
      seen.push(JSON.stringify(await chat(r.server.href(ask("Hi")))));
      for (const path of ["/_/health", "/_/metrics", "/_/sse/chat", "/_/"]) {
        const res = await fetch(r.server.href(path));
        seen.push([...res.headers].join("\n"), await res.text());
      }
    });
    seen.push(...errors);
  });
  assertEquals(logs.length, 6, "one access-log line per request");
  for (const text of [...seen, ...logs]) assertOk(!text.includes(KEY), text);
  assertEquals(r.llm.requests.map((req) => req.authorization), [`Bearer ${KEY}`, `Bearer ${KEY}`]);
});

Deno.test("sseChat() refuses oversized or malformed requests without calling the upstream", async (t) => {
  await using r = await relay({ tokens: ["never"] });
  const post = (body: string, type = "application/json") => ({
    method: "POST",
    headers: { "content-type": type },
    body,
  });
  const long = "x".repeat(16 * 1024 + 1);
  const entry = { role: "user", content: "hi" };
  const rows: [string, string, RequestInit | undefined, number, string][] = [
    ["no message", "/_/sse/chat", undefined, 400, "Message is required"],
    ["a blank message", ask("  "), undefined, 400, "Message is required"],
    [
      "a message over 16 KiB",
      "/_/sse/chat",
      post(JSON.stringify({ message: long })),
      413,
      "Message longer than 16 KiB",
    ],
    [
      "a body over 64 KiB",
      "/_/sse/chat",
      post("x".repeat(64 * 1024 + 1)),
      413,
      "Body larger than 64 KiB",
    ],
    [
      "21 history entries",
      "/_/sse/chat",
      post(JSON.stringify({ message: "hi", history: Array(21).fill(entry) })),
      400,
      "History longer than 20 messages",
    ],
    [
      "a system entry in the history",
      "/_/sse/chat",
      post(JSON.stringify({ message: "hi", history: [{ role: "system", content: "x" }] })),
      400,
      "History entry 1 needs a role of user or assistant and a text content",
    ],
    [
      "a history entry over 16 KiB",
      "/_/sse/chat",
      post(JSON.stringify({ message: "hi", history: [{ role: "user", content: long }] })),
      413,
      "History entry 1 longer than 16 KiB",
    ],
    ["a body that is not JSON", "/_/sse/chat", post("{"), 400, "Body is not valid JSON"],
    ["a JSON array", "/_/sse/chat", post("[]"), 400, "Body must be a JSON object"],
    [
      "a form body",
      "/_/sse/chat",
      post("message=hi", "application/x-www-form-urlencoded"),
      415,
      "Body must be application/json",
    ],
  ];
  for (const [name, path, init, status, reason] of rows) {
    await t.step(name, async () => {
      const res = await fetch(r.server.href(path), init);
      assertEquals([res.status, (await res.text()).trim()], [status, reason]);
    });
  }
  assertEquals(r.llm.requests.length, 0);
});

Deno.test("sseChat() is answered only with --llm-url", async () => {
  await using dir = await tempDir();
  await using plain = startTestServer(dir.path);
  for (const method of ["GET", "POST", "OPTIONS"]) {
    const res = await fetch(plain.href(ask("Hi")), { method });
    assertEquals(res.status, 404, method);
    await res.body?.cancel();
  }
  await using r = await relay({});
  const res = await fetch(r.server.href("/_/sse/chat"), { method: "OPTIONS" });
  assertEquals([res.status, res.headers.get("allow")], [204, "GET, POST, HEAD, OPTIONS"]);
});

Deno.test("sseChat() answers HEAD and Last-Event-ID without asking the model", async () => {
  await using r = await relay({ tokens: ["never"] });
  const head = await fetch(r.server.href(ask("Hi")), { method: "HEAD" });
  assertEquals(head.status, 200);
  assertEquals(head.headers.get("content-type"), "text/event-stream; charset=utf-8");
  // EventSource reconnects after the stream ends: a resumed answer would be a second, billed one.
  const again = await fetch(r.server.href(ask("Hi")), { headers: { "last-event-id": "3" } });
  assertEquals(again.status, 204);
  await deadline(streamsClosed(r.server.state), "the HEAD stream's release");
  assertEquals(r.llm.requests.length, 0);
});

Deno.test("sseChat() counts against --max-streams", async () => {
  await using r = await relay({ tokens: ["a"], after: "stall" }, { maxStreams: 1 });
  const controller = new AbortController();
  const first = await fetch(r.server.href(ask("Hi")), { signal: controller.signal });
  const second = await fetch(r.server.href(ask("Hi")));
  assertEquals(second.status, 429);
  await second.body?.cancel();
  controller.abort();
  await first.body?.cancel().catch(() => {});
  await deadline(streamsClosed(r.server.state), "the first stream's release");
  assertEquals(r.llm.requests.length, 1);
});

/** Resolves once `count()` has not changed for `quietMs` (bounded: at most 100 checks). */
async function settled(count: () => number, quietMs: number): Promise<number> {
  let last = -1;
  for (let i = 0; i < 100 && count() !== last; i++) {
    last = count();
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
  return last;
}

Deno.test("sseChat() stops reading the upstream while the client does not read", async () => {
  const TOKENS = 2000;
  const delta = "y".repeat(64 * 1024);
  await using r = await relay({ tokens: Array(TOKENS).fill(delta), after: "stall" });
  const upstream = r.llm.nextRequest();
  // A client that reads the response head and then nothing.
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: r.server.port });
  await conn.write(
    new TextEncoder().encode(`GET ${ask("Hi")} HTTP/1.1\r\nHost: localhost\r\n\r\n`),
  );
  const head = new Uint8Array(1024);
  assertOk((await conn.read(head)) !== null);
  const request = await deadline(upstream, "the upstream request");
  // 128 MiB on offer; only what socket buffers hold may leave the upstream.
  const sent = await settled(() => request.sent.length, 300);
  console.log(`a paused client let the upstream send ${sent} of ${TOKENS} 64 KiB chunks`);
  assertOk(sent < TOKENS / 2, `${sent} chunks sent`);
  assertOk(!request.aborted);
  conn.close();
  await deadline(request.closed, "the upstream disconnect");
  await deadline(streamsClosed(r.server.state), "the stream slot's release");
});

Deno.test("sseChat() cuts off a streamed body past 64 KiB", async () => {
  await using r = await relay({ tokens: ["never"] });
  const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // Whitespace is valid JSON padding: only the size is wrong.
      if (++pulls > 8) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const res = await fetch(r.server.href("/_/sse/chat"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    duplex: "half",
  } as RequestInit);
  assertEquals([res.status, (await res.text()).trim()], [413, "Body larger than 64 KiB"]);
  assertEquals(r.llm.requests.length, 0);
});

Deno.test("sseChat() ends with event: shutdown and lets go of the upstream on shutdown", async () => {
  await using r = await relay({ tokens: ["a"], after: "stall" });
  const upstream = r.llm.nextRequest();
  const res = await fetch(r.server.href(ask("Hi")));
  const types: string[] = [];
  for await (const event of sseEvents(res.body!)) {
    types.push(event.type);
    if (types.length === 1) await r.server.shutdown(0);
  }
  assertEquals(types, ["message", "shutdown"]);
  const request = await deadline(upstream, "the upstream request");
  await deadline(request.closed, "the upstream disconnect");
  assertOk(request.aborted);
});
