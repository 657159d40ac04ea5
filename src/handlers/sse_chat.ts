import type { Handler } from "../context.ts";
import { rejectContentEncoding } from "../http/content_encoding.ts";
import { HttpError } from "../http/http_error.ts";
import { lastEventId } from "../http/last_event_id.ts";
import {
  chatFromJson,
  chatFromQuery,
  type ChatMessage,
  MAX_CHAT_BODY,
} from "../llm/chat_request.ts";
import { upstreamRequest } from "../llm/upstream_request.ts";
import { openStream } from "../stream_slots.ts";
import { type ChatEvent, chatRelayStream } from "../streams/chat_relay_stream.ts";
import type { SseMessage } from "../streams/sse_encoder_stream.ts";
import { sseResponse } from "./sse_response.ts";

/** The SSE message of a relayed event: the same shape as `/_/sse/tokens`. */
export function chatMessage(event: ChatEvent): SseMessage {
  if (event.type === "delta") return { id: event.index, data: event.text };
  if (event.type === "done") return { id: event.index, data: "[DONE]" };
  return { event: "error", id: event.index, data: event.failure.reason };
}

/** The JSON body of a `POST`, read up to `MAX_CHAT_BODY` bytes. */
async function readJsonBody(request: Request): Promise<ChatMessage[]> {
  rejectContentEncoding(request.headers);
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, "Body must be application/json");
  }
  const tooLarge = () => new HttpError(413, "Body larger than 64 KiB");
  if (Number(request.headers.get("content-length") ?? 0) > MAX_CHAT_BODY) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_CHAT_BODY) throw tooLarge();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "Body is not valid UTF-8");
  }
  return chatFromJson(text);
}

/**
 * `GET /_/sse/chat?message=…` and `POST /_/sse/chat` (JSON
 * `{"message", "history"}`): relays a language model's streaming answer
 * from the `--llm-url` upstream, which only the server holds the key for.
 * One `data:` event per text delta (ids from 1), then `data: [DONE]`; a
 * failure is one `event: error` with a short reason, then the end. Counts
 * against `--max-streams`; a client that leaves aborts the upstream request.
 *
 * An answer cannot be resumed: a reconnect with `Last-Event-ID` gets `204`,
 * which stops `EventSource` from asking the model again.
 */
export const sseChat: Handler = async (request, ctx) => {
  const llm = ctx.config.llm;
  if (llm === null) throw new HttpError(404, "Not found");
  if (lastEventId(request.headers, ctx.url.searchParams) !== null) {
    return new Response(null, { status: 204 });
  }
  const messages = request.method === "POST"
    ? await readJsonBody(request)
    : chatFromQuery(ctx.url.searchParams);
  const release = openStream(ctx, "sse");
  const events = chatRelayStream(upstreamRequest(llm, messages), {
    timeout: llm.timeout,
    idle: llm.idle,
    onFailure: (failure) => ctx.metrics.chatFailed(failure.kind),
  });
  return sseResponse(request, ctx, events, chatMessage, release);
};
