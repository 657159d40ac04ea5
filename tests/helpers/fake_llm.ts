/**
 * An OpenAI-compatible upstream for the relay tests: a `Deno.serve` on port
 * 0 that streams Chat Completions chunks (or Responses API events) in the
 * real wire format, with scripted token timing, error answers, malformed
 * streams, stalls and dropped connections, and that records what it saw.
 *
 * @module
 */

/** What the upstream does for one request. */
export interface FakeScript {
  /** Wire format: Chat Completions chunks (default) or Responses API events. */
  api?: "chat" | "responses";
  /** Text deltas to stream, in order. */
  tokens?: string[];
  /** Awaited before sending token `i` (lockstep with the test). */
  gate?: (i: number) => Promise<void>;
  /** Milliseconds to wait before each token. */
  delay?: number;
  /** Answer this status (with `headers`, and an error body) instead of a stream. */
  status?: number;
  headers?: Record<string, string>;
  /** The `Content-Type` of a stream (default `text/event-stream`). */
  contentType?: string;
  /**
   * After the tokens: `done` (the API's normal end), `stall` (send nothing
   * more until the client leaves), `drop` (break the connection), `garbage`
   * (an event that is not JSON), `error` (an in-stream error event), `end`
   * (close without the end marker).
   */
  after?: "done" | "stall" | "drop" | "garbage" | "error" | "end";
}

/** One request the upstream received. */
export interface FakeRequest {
  path: string;
  authorization: string | null;
  body: Record<string, unknown>;
  /** `performance.now()` when each token was handed to the connection. */
  sent: number[];
  /** Resolves with `performance.now()` when the client went away or the stream ended. */
  closed: Promise<number>;
  /** Whether the client left before the stream ended. */
  aborted: boolean;
}

/** The running fake; `await using` stops it. */
export interface FakeLlm extends AsyncDisposable {
  /** Base URL, ending in `/v1`. */
  url: string;
  /** What the next requests get. */
  script: FakeScript;
  readonly requests: FakeRequest[];
  /** Resolves with the next request once it arrives. */
  nextRequest(): Promise<FakeRequest>;
}

/** The secret error body a 4xx/5xx answer carries: the relay must never repeat it. */
export const UPSTREAM_ERROR_BODY = JSON.stringify({
  error: { message: "Incorrect API key provided: sk-SECRET…. Prompt: …", code: "invalid_api_key" },
});

const encoder = new TextEncoder();

function chatEvents(tokens: string[]): { token: string[]; end: string[] } {
  const base = { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "fake" };
  const chunk = (delta: object, finish: string | null) =>
    `data: ${
      JSON.stringify({
        ...base,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      })
    }\n\n`;
  return {
    token: [
      chunk({ role: "assistant", content: "" }, null) + chunk({ content: tokens[0] }, null),
      ...tokens.slice(1).map((t) => chunk({ content: t }, null)),
    ],
    end: [chunk({}, "stop"), "data: [DONE]\n\n"],
  };
}

function responsesEvents(tokens: string[]): { token: string[]; end: string[] } {
  let seq = 0;
  const event = (type: string, fields: object) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
  const response = (status: string) => ({
    id: "resp_1",
    object: "response",
    created_at: 1,
    status,
    model: "fake",
    output: [],
  });
  const first = event("response.created", { response: response("in_progress") }) +
    event("response.output_item.added", {
      output_index: 0,
      item: { id: "msg_1", type: "message", role: "assistant", status: "in_progress", content: [] },
    });
  const delta = (t: string) =>
    event("response.output_text.delta", {
      item_id: "msg_1",
      output_index: 0,
      content_index: 0,
      delta: t,
      logprobs: [],
    });
  return {
    token: tokens.map((t, i) => (i === 0 ? first : "") + delta(t)),
    end: [event("response.completed", { response: response("completed") })],
  };
}

const tail: Record<string, (api: "chat" | "responses") => string> = {
  garbage: () => "data: {not json\n\n",
  error: (api) =>
    api === "chat"
      ? `data: ${
        JSON.stringify({ error: { message: "secret details", code: "server_error" } })
      }\n\n`
      : `event: error\ndata: ${
        JSON.stringify({ type: "error", code: "server_error", message: "secret details" })
      }\n\n`,
};

/**
 * Starts the fake upstream.
 *
 * @example
 * ```ts
 * await using llm = startFakeLlm({ tokens: ["Hi", "!"] });
 * ```
 */
export function startFakeLlm(script: FakeScript = {}): FakeLlm {
  const requests: FakeRequest[] = [];
  const waiting: ((request: FakeRequest) => void)[] = [];
  const fake = {
    script,
    requests,
    nextRequest: () => new Promise<FakeRequest>((resolve) => waiting.push(resolve)),
  };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    // The "drop" body's error is on purpose: nothing to report.
    onError: () => new Response(null, { status: 500 }),
  }, async (req) => {
    const s = fake.script;
    const body = await req.json().catch(() => ({}));
    const closed = Promise.withResolvers<number>();
    const record: FakeRequest = {
      path: new URL(req.url).pathname,
      authorization: req.headers.get("authorization"),
      body,
      sent: [],
      closed: closed.promise,
      aborted: false,
    };
    requests.push(record);
    waiting.splice(0).forEach((resolve) => resolve(record));
    if (s.status !== undefined) {
      closed.resolve(performance.now());
      return new Response(UPSTREAM_ERROR_BODY, {
        status: s.status,
        headers: { "content-type": "application/json", ...s.headers },
      });
    }
    const api = s.api ?? "chat";
    const tokens = s.tokens ?? [];
    const { token, end } = (api === "chat" ? chatEvents : responsesEvents)(tokens);
    const after = s.after ?? "done";
    const left = Promise.withResolvers<void>();
    const leave = () => {
      if (record.aborted) return;
      record.aborted = true;
      closed.resolve(performance.now());
      left.resolve();
    };
    req.signal.addEventListener("abort", leave, { once: true });
    let i = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (i < token.length) {
          await s.gate?.(i);
          if (s.delay) await new Promise((r) => timer = setTimeout(r, s.delay));
          if (record.aborted) return;
          record.sent.push(performance.now());
          controller.enqueue(encoder.encode(token[i++]));
          return;
        }
        if (after === "stall") {
          await left.promise;
          return;
        }
        req.signal.removeEventListener("abort", leave);
        if (after === "drop") {
          controller.error(new Error("connection dropped"));
        } else {
          const text = after === "done" ? end.join("") : tail[after]?.(api) ?? "";
          if (text) controller.enqueue(encoder.encode(text));
          controller.close();
        }
        closed.resolve(performance.now());
      },
      cancel() {
        clearTimeout(timer);
        leave();
      },
    }, { highWaterMark: 0 });
    return new Response(stream, {
      headers: {
        "content-type": s.contentType ?? "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
      },
    });
  });
  const { port } = server.addr as Deno.NetAddr;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/v1`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  });
}
