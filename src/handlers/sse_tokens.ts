import type { Handler } from "../context.ts";
import { HttpError } from "../http/http_error.ts";
import { lastEventId, lastEventIndex } from "../http/last_event_id.ts";
import { intParam } from "../http/query_params.ts";
import { openStream } from "../stream_slots.ts";
import { pacedStream } from "../streams/paced_stream.ts";
import type { SseMessage } from "../streams/sse_encoder_stream.ts";
import { tokenize } from "../text/tokenize.ts";
import { same, sseResponse } from "./sse_response.ts";

/** The text streamed when the request gives none. */
export const DEFAULT_TOKEN_TEXT =
  "Sluice streams files and events as they happen. 스트리밍은 즐거워요 🌊🚰 — every token is sent the moment it is ready, and none is ever split in half.";

/** Longest `text` accepted, in UTF-8 bytes. */
export const MAX_TOKEN_TEXT = 64 * 1024;

/** Token messages with ids 1…n after `skip`, then `data: [DONE]`. */
export function* tokenMessages(tokens: readonly string[], skip: number): Generator<SseMessage> {
  for (let i = skip; i < tokens.length; i++) yield { id: i + 1, data: tokens[i] };
  yield { id: tokens.length + 1, data: "[DONE]" };
}

/**
 * `GET /_/sse/tokens?text=...&delay=50`: a fake LLM. The text is split into
 * Unicode-safe tokens (see `tokenize`), one SSE message per token (`data:`
 * is the token, leading spaces included) with ids from 1, `delay` ms apart,
 * then `data: [DONE]`. `Last-Event-ID: N` resumes after token N.
 */
export const sseTokens: Handler = (request, ctx) => {
  const params = ctx.url.searchParams;
  const text = params.get("text") || DEFAULT_TOKEN_TEXT;
  if (new TextEncoder().encode(text).length > MAX_TOKEN_TEXT) {
    throw new HttpError(413, "Text longer than 64 KiB");
  }
  const delay = intParam(params, "delay", 50, 0, 10_000);
  const tokens = tokenize(text);
  const resumeAfter = lastEventIndex(lastEventId(request.headers, params), tokens.length + 1);
  if (resumeAfter === tokens.length + 1) return new Response(null, { status: 204 });
  const release = openStream(ctx, "sse");
  return sseResponse(
    request,
    ctx,
    pacedStream(tokenMessages(tokens, resumeAfter ?? 0), delay),
    same,
    release,
  );
};
