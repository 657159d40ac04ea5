import { type ChatFailure, statusFailure } from "../llm/chat_failure.ts";
import { parseStreamEvent } from "../llm/openai_stream.ts";
import { SseDecoder } from "../llm/sse_decoder.ts";
import type { UpstreamRequest } from "../llm/upstream_request.ts";

/** One relayed event, numbered from 1 in stream order. */
export type ChatEvent =
  | { type: "delta"; index: number; text: string }
  | { type: "done"; index: number }
  | { type: "error"; index: number; failure: ChatFailure };

/** Limits and hooks of one relayed answer. */
export interface ChatRelayOptions {
  /** Longest the whole answer may take, in milliseconds (headers to last byte). */
  timeout: number;
  /** Longest the upstream may stay silent while the client waits, in milliseconds. */
  idle: number;
  /** Told once about the failure that ends the stream, if any. */
  onFailure?: (failure: ChatFailure) => void;
}

/** Why the relay aborted the upstream request itself. */
class LimitReached extends Error {
  constructor(readonly failure: ChatFailure) {
    super(failure.reason);
  }
}

/**
 * Relays one streaming answer of an OpenAI-compatible upstream as
 * `ChatEvent`s: each text delta as it arrives, then `done`, or one `error`
 * (unreachable, error status, malformed stream, time limits) and the end.
 *
 * Pull-based with no queue of its own: the upstream request starts on the
 * first pull, and each pull reads upstream chunks only until one yields
 * text, so a client that stops reading stops the upstream read (TCP then
 * holds the upstream back). The idle limit counts only time spent waiting
 * for the upstream. `cancel()` (a client that left, or shutdown) and the
 * time limits abort the upstream request, which closes its connection: the
 * upstream sees the client leave as soon as Deno cancels the response body.
 *
 * @example
 * ```ts
 * const events = chatRelayStream(upstreamRequest(llm, messages), { timeout: 300_000, idle: 60_000 });
 * ```
 */
export function chatRelayStream(
  upstream: UpstreamRequest,
  options: ChatRelayOptions,
): ReadableStream<ChatEvent> {
  const abort = new AbortController();
  const decoder = new TextDecoder();
  const events = new SseDecoder();
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let totalTimer: ReturnType<typeof setTimeout> | undefined;
  let index = 0;
  let stopped = false;

  const limit = (failure: ChatFailure) => abort.abort(new LimitReached(failure));
  const stop = (reason?: unknown) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(totalTimer);
    abort.abort(reason);
    reader?.cancel(reason).catch(() => {});
  };

  /** `promise`, or a failure once the upstream has been silent for `idle` ms. */
  async function unlessIdle<T>(promise: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const seconds = options.idle / 1000;
        limit({ kind: "timeout", reason: `Upstream sent nothing for ${seconds} s` });
        reject(abort.signal.reason);
      }, options.idle);
    });
    try {
      return await Promise.race([promise, idle]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function open(): Promise<ReadableStreamDefaultReader<Uint8Array> | ChatFailure> {
    totalTimer = setTimeout(() => {
      limit({ kind: "timeout", reason: `Upstream took longer than ${options.timeout / 1000} s` });
    }, options.timeout);
    let response: Response;
    try {
      response = await unlessIdle(fetch(upstream.url, {
        method: "POST",
        headers: upstream.headers,
        body: upstream.body,
        signal: abort.signal,
      }));
    } catch (error) {
      if (abort.signal.aborted) throw error;
      return { kind: "unreachable", reason: "Upstream unreachable" };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return statusFailure(response.status, response.headers.get("retry-after"));
    }
    const type = response.headers.get("content-type") ?? "";
    if (response.body === null || !/^text\/event-stream\b/i.test(type)) {
      await response.body?.cancel();
      return { kind: "malformed", reason: "Upstream did not answer with an event stream" };
    }
    return response.body.getReader();
  }

  /** Reads upstream chunks until one yields something to send; `true` when the stream ends. */
  async function relay(
    from: ReadableStreamDefaultReader<Uint8Array>,
    controller: ReadableStreamDefaultController<ChatEvent>,
  ): Promise<ChatFailure | boolean> {
    for (;;) {
      const chunk = await unlessIdle(from.read());
      if (chunk.done) {
        return { kind: "malformed", reason: "Upstream stream ended before the answer did" };
      }
      let sent = false;
      let parsed;
      try {
        parsed = events.feed(decoder.decode(chunk.value, { stream: true }));
      } catch {
        return { kind: "malformed", reason: "Upstream sent an event that is too long" };
      }
      for (const event of parsed) {
        const item = parseStreamEvent(event);
        if (item.type === "delta") {
          controller.enqueue({ type: "delta", index: ++index, text: item.text });
          sent = true;
        } else if (item.type === "done") {
          controller.enqueue({ type: "done", index: ++index });
          return true;
        } else if (item.type === "error") {
          return { kind: "upstream", reason: item.reason };
        } else if (item.type === "malformed") {
          return { kind: "malformed", reason: item.reason };
        }
      }
      if (sent) return false;
    }
  }

  function fail(controller: ReadableStreamDefaultController<ChatEvent>, failure: ChatFailure) {
    options.onFailure?.(failure);
    controller.enqueue({ type: "error", index: ++index, failure });
  }

  return new ReadableStream<ChatEvent>({
    async pull(controller) {
      let outcome: ChatFailure | boolean;
      try {
        if (reader === null) {
          const opened = await open();
          if (!(opened instanceof ReadableStreamDefaultReader)) {
            outcome = opened;
          } else {
            reader = opened;
            outcome = await relay(reader, controller);
          }
        } else {
          outcome = await relay(reader, controller);
        }
      } catch {
        // Cancelled (the client left) while waiting for the upstream.
        if (stopped) return;
        const reason = abort.signal.reason;
        outcome = reason instanceof LimitReached
          ? reason.failure
          : { kind: "unreachable", reason: "Upstream connection lost" };
      }
      if (outcome === false) return;
      if (outcome !== true) fail(controller, outcome);
      stop();
      controller.close();
    },
    cancel(reason) {
      stop(reason);
    },
  }, { highWaterMark: 0 });
}
