import type { RequestContext } from "../src/context.ts";
import { sseTokens } from "../src/handlers/sse_tokens.ts";
import { HttpError } from "../src/http/http_error.ts";
import { streamsClosed } from "../src/stream_slots.ts";
import { assertEquals, assertMatch, assertOk, assertRejects } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { connectRaw } from "./helpers/raw_http.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";
import { allSseEvents, sseEvents, SseParser } from "./helpers/sse_parser.ts";

async function health(href: string) {
  const res = await fetch(href);
  return (await res.json()).streams;
}

Deno.test("sseCountdown() counts down with ids, then sends done and ends", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/sse/countdown?from=3&interval=10"));
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  assertEquals(res.headers.get("cache-control"), "no-cache");
  assertEquals(res.headers.get("x-accel-buffering"), "no");
  const parser = new SseParser();
  const events = await deadline(allSseEvents(res.body!, parser), "the countdown to end");
  assertEquals(events, [
    { type: "message", data: "3", lastEventId: "3" },
    { type: "message", data: "2", lastEventId: "2" },
    { type: "message", data: "1", lastEventId: "1" },
    { type: "done", data: "liftoff", lastEventId: "0" },
  ]);
  assertEquals(parser.retry, 2000);
});

Deno.test("sseCountdown() delivers the first event before the last one is produced", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  // The second event is a minute away: only a streamed first event can arrive now.
  const res = await fetch(server.href("/_/sse/countdown?from=2&interval=60000"));
  const events = sseEvents(res.body!);
  const first = await deadline(events.next(), "the first event");
  assertEquals(first.value, { type: "message", data: "2", lastEventId: "2" });
  assertEquals((await health(server.href("/_/health"))).sse, 1);
  await events.return(undefined);
});

Deno.test("sseCountdown() resumes after Last-Event-ID", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/sse/countdown?from=5&interval=10"), {
    headers: { "last-event-id": "3" },
  });
  const events = await allSseEvents(res.body!);
  assertEquals(events.map((e) => e.data), ["2", "1", "liftoff"]);
});

Deno.test("sseCountdown() answers 204 after done so EventSource stops reconnecting", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/sse/countdown?from=5"), {
    headers: { "last-event-id": "0" },
  });
  assertEquals(res.status, 204);
  await res.body?.cancel();
});

Deno.test("sseCountdown() rejects out-of-bounds parameters with the reason", async (t) => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const rows: [string, RegExp][] = [
    ["from=abc", /from must be a whole number/],
    ["from=3601", /from must be between 0 and 3600/],
    ["from=-1", /from must be a whole number/],
    ["interval=9", /interval must be between 10 and 60000/],
    ["interval=1.5", /interval must be a whole number/],
  ];
  for (const [query, reason] of rows) {
    await t.step(query, async () => {
      const res = await fetch(server.href(`/_/sse/countdown?${query}`));
      assertEquals(res.status, 400);
      assertMatch(await res.text(), reason);
    });
  }
});

Deno.test("sseTokens() streams Unicode-safe tokens with ids, then [DONE]", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const text = "Hello, 세계! 안녕하세요여러분 👩‍👩‍👧‍👦 and 👋🏽 done.";
  const res = await fetch(server.href(`/_/sse/tokens?delay=0&text=${encodeURIComponent(text)}`));
  const events = await deadline(allSseEvents(res.body!), "the tokens to end");
  assertEquals(events.at(-1)?.data, "[DONE]");
  const tokens = events.slice(0, -1);
  assertOk(tokens.length > 5, `only ${tokens.length} tokens`);
  assertEquals(tokens.map((e) => e.data).join(""), text);
  assertEquals(tokens.map((e) => e.lastEventId), tokens.map((_, i) => String(i + 1)));
  for (const { data } of tokens) assertOk(!data.includes("\uFFFD"), `broken token ${data}`);
});

Deno.test("sseTokens() resumes after Last-Event-ID", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const url = server.href("/_/sse/tokens?delay=0&text=one%20two%20three");
  const all = await allSseEvents((await fetch(url)).body!);
  const resumed = await allSseEvents(
    (await fetch(url, { headers: { "last-event-id": "1" } })).body!,
  );
  assertEquals(resumed, all.slice(1));
});

Deno.test("sseTokens() rejects text over 64 KiB", async (t) => {
  await t.step("the handler answers 413", async () => {
    const url = new URL(`http://x/_/sse/tokens?text=${"a".repeat(64 * 1024 + 1)}`);
    const ctx = { url } as RequestContext;
    await assertRejects(
      async () => await sseTokens(new Request("http://x/"), ctx),
      (error: unknown) => error instanceof HttpError && error.status === 413,
    );
  });
  await t.step("over a socket, Deno's HTTP layer already refuses such a URL with 400", async () => {
    await using dir = await tempDir();
    await using server = startTestServer(dir.path);
    // fetch refuses URLs this long, so the request goes over a raw socket.
    using connection = await connectRaw(server.url);
    const text = "a".repeat(64 * 1024 + 1);
    await connection.write(`GET /_/sse/tokens?text=${text} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assertEquals((await connection.read()).status, 400);
  });
});

Deno.test("sseResponse() sends heartbeat comments while a stream is idle", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { heartbeat: 100 });
  const res = await fetch(server.href("/_/sse/countdown?from=2&interval=60000"));
  // The next event is a minute away: until then only heartbeats may arrive.
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (text.split(": heartbeat\n\n").length < 3) {
    text += (await deadline(reader.read(), "a heartbeat")).value;
  }
  await reader.cancel();
  assertMatch(text, /^: sluice\nretry: 2000\n\nid: 2\ndata: 2\n\n(: heartbeat\n\n){2,}$/);
});

Deno.test("sseCountdown() releases its stream when the client leaves", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const controller = new AbortController();
  const res = await fetch(server.href("/_/sse/countdown?from=5&interval=60000"), {
    signal: controller.signal,
  });
  const events = sseEvents(res.body!);
  await events.next();
  assertEquals((await health(server.href("/_/health"))).sse, 1);
  controller.abort();
  await events.return(undefined).catch(() => {});
  await deadline(streamsClosed(server.state), "the server to release the stream");
  assertEquals(await health(server.href("/_/health")), {
    download: 0,
    upload: 0,
    sse: 0,
    websocket: 0,
    progress: 0,
    search: 0,
  });
});

Deno.test("openStream() answers 429 beyond --max-streams per client", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, { maxStreams: 1 });
  const first = await fetch(server.href("/_/sse/countdown?from=5&interval=60000"));
  const second = await fetch(server.href("/_/stream?steps=1&interval=10"));
  assertEquals(second.status, 429);
  assertMatch(await second.text(), /Too many open streams/);
  await first.body!.cancel();
  await deadline(streamsClosed(server.state), "the first stream to close");
  const third = await fetch(server.href("/_/stream?steps=1&interval=10"));
  assertEquals(third.status, 200);
  await third.body!.cancel();
});

Deno.test("sseCountdown() answers HEAD with headers only and holds no stream", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/sse/countdown?from=5"), { method: "HEAD" });
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  await deadline(streamsClosed(server.state), "the HEAD stream to be released");
});

Deno.test("sseResponse() ends live streams with event: shutdown", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/sse/countdown?from=5&interval=60000"));
  const events = sseEvents(res.body!);
  assertEquals((await events.next()).value?.data, "5");
  const stopping = server.shutdown(5000);
  const rest = await deadline(Array.fromAsync(events), "the stream to end");
  assertEquals(rest, [{ type: "shutdown", data: "Server is shutting down", lastEventId: "5" }]);
  await deadline(stopping, "the server to stop");
});

/** A self-signed certificate for 127.0.0.1, made with openssl in `dir`. */
async function selfSignedCert(dir: string): Promise<{ cert: string; key: string; pem: string }> {
  const cert = `${dir}/cert.pem`;
  const key = `${dir}/key.pem`;
  const { code } = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  assertEquals(code, 0, "openssl could not make a certificate");
  return { cert, key, pem: await Deno.readTextFile(cert) };
}

Deno.test("sseCountdown() survives an HTTP/2 client leaving mid-stream", async () => {
  await using dir = await tempDir();
  await using certDir = await tempDir();
  const tls = await selfSignedCert(certDir.path);
  await using server = startTestServer(dir.path, { cert: tls.cert, key: tls.key });
  using client = Deno.createHttpClient({ caCerts: [tls.pem] });
  const controller = new AbortController();
  const res = await fetch(server.href("/_/sse/countdown?from=5&interval=60000"), {
    client,
    signal: controller.signal,
  });
  const events = sseEvents(res.body!);
  assertEquals((await deadline(events.next(), "the first event")).value?.data, "5");
  controller.abort();
  await events.return(undefined).catch(() => {});
  await deadline(streamsClosed(server.state), "the server to release the stream");
  // An interrupted HTTP/2 response must not take the server down.
  const health = await fetch(server.href("/_/health"), { client });
  assertEquals((await health.json()).streams.sse, 0);
});
