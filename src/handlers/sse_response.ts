import { headResponse } from "./stream_response.ts";
import type { RequestContext } from "../context.ts";
import { sseBody } from "../streams/sse_body_stream.ts";
import type { SseMessage } from "../streams/sse_encoder_stream.ts";

/** Reconnection delay suggested to `EventSource` clients, in milliseconds. */
export const SSE_RETRY_MS = 2000;

/** Headers of every event stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

const PRELUDE: SseMessage = { comment: "sluice", retry: SSE_RETRY_MS };
const HEARTBEAT: SseMessage = { comment: "heartbeat" };
const SHUTDOWN: SseMessage = { event: "shutdown", data: "Server is shutting down" };

/** For streams whose items already are messages. */
export const same = (message: SseMessage): SseMessage => message;

/**
 * Turns a stream of items into a `text/event-stream` response: a `retry:`
 * hint first, a heartbeat comment every `config.heartbeat` ms of silence,
 * and on server shutdown a final `event: shutdown` before the stream ends.
 * `release` runs once when the stream ends or the client leaves; for `HEAD`
 * at once, with only the headers sent.
 */
export function sseResponse<T>(
  request: Request,
  ctx: RequestContext,
  items: ReadableStream<T>,
  toMessage: (item: T) => SseMessage,
  release: () => void,
): Response {
  const body = sseBody(items, {
    toMessage,
    prelude: PRELUDE,
    heartbeatMs: ctx.config.heartbeat,
    heartbeat: HEARTBEAT,
    signal: ctx.state.shutdownSignal,
    last: SHUTDOWN,
    release,
  });
  if (request.method === "HEAD") {
    body.cancel();
    return headResponse({ headers: SSE_HEADERS });
  }
  return new Response(body, { headers: SSE_HEADERS });
}
