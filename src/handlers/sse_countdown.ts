import type { Handler } from "../context.ts";
import { lastEventId, lastEventIndex } from "../http/last_event_id.ts";
import { intParam } from "../http/query_params.ts";
import { openStream } from "../stream_slots.ts";
import { pacedStream } from "../streams/paced_stream.ts";
import type { SseMessage } from "../streams/sse_encoder_stream.ts";
import { same, sseResponse } from "./sse_response.ts";

/** The countdown's messages from `start` down: `id: N` / `data: N`, then `done`. */
export function* countdownMessages(start: number): Generator<SseMessage> {
  for (let n = start; n >= 1; n--) yield { id: n, data: String(n) };
  yield { event: "done", id: 0, data: "liftoff" };
}

/**
 * `GET /_/sse/countdown?from=5&interval=1000`: `from` events one `interval`
 * apart, then `event: done` / `data: liftoff` (id 0) and the end. A
 * reconnect with `Last-Event-ID: N` resumes after N; after `done` (id 0) the
 * answer is 204, which tells `EventSource` to stop reconnecting.
 */
export const sseCountdown: Handler = (request, ctx) => {
  const params = ctx.url.searchParams;
  const from = intParam(params, "from", 10, 0, 3600);
  const interval = intParam(params, "interval", 1000, 10, 60_000);
  const resumeAfter = lastEventIndex(lastEventId(request.headers, params), from);
  if (resumeAfter === 0) return new Response(null, { status: 204 });
  const start = resumeAfter === null ? from : resumeAfter - 1;
  const release = openStream(ctx, "sse");
  return sseResponse(request, ctx, pacedStream(countdownMessages(start), interval), same, release);
};
