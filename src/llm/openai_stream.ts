import type { SseEvent } from "./sse_decoder.ts";

/** What one upstream event means for the relay. */
export type StreamItem =
  /** Text to relay as it is. */
  | { type: "delta"; text: string }
  /** The answer is complete. */
  | { type: "done" }
  /** Nothing to relay (a role announcement, usage, a tool call, an empty delta). */
  | { type: "skip" }
  /** The upstream reported a failure inside the stream. */
  | { type: "error"; reason: string }
  /** Not the wire format of either API. */
  | { type: "malformed"; reason: string };

const SKIP: StreamItem = { type: "skip" };
const DONE: StreamItem = { type: "done" };

/** Responses API events that end an answer normally. */
const RESPONSE_DONE = new Set(["response.completed", "response.incomplete"]);
/** Responses API events that end an answer with a failure. */
const RESPONSE_FAILED = new Set(["error", "response.failed"]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A short reason for an error object the upstream sent: its `code` (or
 * `type`) when that is a plain identifier; the upstream's own message is
 * never repeated (it may quote the prompt or the account).
 */
function upstreamError(error: unknown): StreamItem {
  const source = isObject(error) && isObject(error.error) ? error.error : error;
  if (isObject(source)) {
    for (const field of ["code", "type"]) {
      const value = source[field];
      if (typeof value === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(value)) {
        return { type: "error", reason: `Upstream error: ${value}` };
      }
    }
  }
  return { type: "error", reason: "Upstream reported an error" };
}

/** A Chat Completions chunk: the first choice's `delta.content`. */
function chatChunk(chunk: Record<string, unknown>): StreamItem {
  const choices = chunk.choices;
  if (!Array.isArray(choices)) {
    return { type: "malformed", reason: "Upstream chunk has no choices" };
  }
  const first = choices.find((c) => isObject(c) && (c.index ?? 0) === 0) ?? choices[0];
  // A usage chunk has no choices; other choices (n > 1) are not relayed.
  if (first === undefined) return SKIP;
  if (!isObject(first)) return { type: "malformed", reason: "Upstream choice is not an object" };
  const delta = first.delta;
  if (delta === undefined || delta === null) return SKIP;
  if (!isObject(delta)) return { type: "malformed", reason: "Upstream delta is not an object" };
  const content = delta.content;
  if (content === undefined || content === null || content === "") return SKIP;
  if (typeof content !== "string") {
    return { type: "malformed", reason: "Upstream delta content is not text" };
  }
  return { type: "delta", text: content };
}

/** A Responses API event: `response.output_text.delta` carries text. */
function responsesEvent(type: string, payload: Record<string, unknown>): StreamItem {
  if (type === "response.output_text.delta") {
    const delta = payload.delta;
    if (typeof delta !== "string") {
      return { type: "malformed", reason: "Upstream delta is not text" };
    }
    return delta === "" ? SKIP : { type: "delta", text: delta };
  }
  if (RESPONSE_DONE.has(type)) return DONE;
  if (RESPONSE_FAILED.has(type)) {
    const response = payload.response;
    return upstreamError(isObject(response) && response.error ? response.error : payload);
  }
  // Every other Responses event (created, in_progress, output_item.added, …).
  return SKIP;
}

/**
 * What one event of an OpenAI-compatible stream means: Chat Completions
 * chunks (`choices[0].delta.content`, ended by `data: [DONE]`) and Responses
 * API events (`response.output_text.delta`, ended by `response.completed`),
 * told apart by their payload. Pure: the relay decides what to do.
 *
 * @example
 * ```ts
 * parseStreamEvent({ event: "", data: '{"choices":[{"index":0,"delta":{"content":"Hi"}}]}' });
 * // { type: "delta", text: "Hi" }
 * parseStreamEvent({ event: "", data: "[DONE]" }); // { type: "done" }
 * ```
 */
export function parseStreamEvent(event: SseEvent): StreamItem {
  if (event.data.trim() === "[DONE]") return DONE;
  let payload: unknown;
  try {
    payload = JSON.parse(event.data);
  } catch {
    return { type: "malformed", reason: "Upstream sent an event that is not JSON" };
  }
  if (!isObject(payload)) {
    return { type: "malformed", reason: "Upstream sent an event that is not a JSON object" };
  }
  const type = typeof payload.type === "string" ? payload.type : event.event;
  if (type === "error" || (type === "" && "error" in payload)) return upstreamError(payload);
  if ("choices" in payload) return chatChunk(payload);
  if (type.startsWith("response.")) return responsesEvent(type, payload);
  return { type: "malformed", reason: "Upstream sent an unknown event" };
}
