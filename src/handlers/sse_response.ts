import type { RequestContext } from "../context.ts";
import { endOnAbort } from "../streams/end_on_abort_stream.ts";
import { withHeartbeat } from "../streams/heartbeat_stream.ts";
import { SseEncoderStream, type SseMessage } from "../streams/sse_encoder_stream.ts";
import { streamResponse } from "./stream_response.ts";

/** Reconnection delay suggested to `EventSource` clients, in milliseconds. */
export const SSE_RETRY_MS = 2000;

/** Headers of every event stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/**
 * Turns a stream of messages into a `text/event-stream` response: a
 * `retry:` hint first, a heartbeat comment every `config.heartbeat` ms of
 * silence, and on server shutdown a final `event: shutdown` before the
 * stream ends. `release` runs when the stream ends or the client leaves.
 */
export function sseResponse(
  request: Request,
  ctx: RequestContext,
  messages: ReadableStream<SseMessage>,
  release: () => void,
): Response {
  const live = endOnAbort(
    withHeartbeat(messages, ctx.config.heartbeat, () => ({ comment: "heartbeat" })),
    ctx.state.shutdownSignal,
    () => ({ event: "shutdown", data: "Server is shutting down" }),
  );
  const body = live
    .pipeThrough(
      new TransformStream<SseMessage, SseMessage>({
        start(controller) {
          controller.enqueue({ comment: "sluice", retry: SSE_RETRY_MS });
        },
      }),
    )
    .pipeThrough(new SseEncoderStream());
  return streamResponse(request, body, release, { headers: SSE_HEADERS });
}
