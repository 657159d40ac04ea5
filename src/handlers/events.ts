import type { Handler } from "../context.ts";
import type { FeedItem } from "../fs/change_feed.ts";
import { HttpError } from "../http/http_error.ts";
import { lastEventId } from "../http/last_event_id.ts";
import { openStream } from "../stream_slots.ts";
import type { SseMessage } from "../streams/sse_encoder_stream.ts";
import { sseResponse } from "./sse_response.ts";

/**
 * The SSE form of a change-feed item: `event: created` (the change type)
 * with JSON data `{"type":"created","path":"sub/a.txt","isDirectory":false}`
 * (plus `"from"` for `renamed`), `event: reset` with `{"reason":…}`, and
 * `event: ready` with `{"id":…}` once any replay is done.
 */
export function feedMessage(item: FeedItem): SseMessage {
  switch (item.type) {
    case "change":
      return { event: item.change.type, id: item.id, data: JSON.stringify(item.change) };
    case "reset":
      return { event: "reset", id: item.id, data: JSON.stringify({ reason: item.reason }) };
    case "ready":
      return { event: "ready", id: item.id, data: JSON.stringify({ id: item.id }) };
  }
}

/**
 * `GET /_/events`: the live change feed of ROOT as Server-Sent Events.
 * `Last-Event-ID` replays missed changes (or sends `reset`).
 */
export const events: Handler = (request, ctx) => {
  const feed = ctx.changeFeed;
  if (!feed) throw new HttpError(404, "Not found");
  const release = openStream(ctx, "sse");
  let items: ReadableStream<FeedItem>;
  try {
    items = feed.subscribe(lastEventId(request.headers, ctx.url.searchParams));
  } catch (error) {
    release();
    console.error("Cannot start the change feed:", error);
    throw new HttpError(503, "Change feed unavailable");
  }
  return sseResponse(request, ctx, items, feedMessage, release);
};
