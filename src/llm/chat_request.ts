import { HttpError } from "../http/http_error.ts";

/** One turn of a conversation, as both APIs take it. */
export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

/** Largest `POST /_/sse/chat` body, in bytes. */
export const MAX_CHAT_BODY = 64 * 1024;
/** Longest message (and history entry), in UTF-8 bytes. */
export const MAX_MESSAGE = 16 * 1024;
/** Most history entries before the message. */
export const MAX_HISTORY = 20;

const encoder = new TextEncoder();

function checkText(text: string, what: string): string {
  if (encoder.encode(text).length > MAX_MESSAGE) {
    throw new HttpError(413, `${what} longer than 16 KiB`);
  }
  return text;
}

function message(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new HttpError(400, "Message is required");
  }
  return checkText(value, "Message");
}

/**
 * The conversation of `GET /_/sse/chat?message=…`: one user message.
 *
 * @throws {HttpError} 400 without a message, 413 for one over 16 KiB.
 */
export function chatFromQuery(params: URLSearchParams): ChatMessage[] {
  return [{ role: "user", content: message(params.get("message")) }];
}

/**
 * The conversation of a `POST /_/sse/chat` JSON body
 * `{"message": "…", "history": [{"role": "user" | "assistant", "content": "…"}]}`:
 * the history (oldest first) and then the message.
 *
 * @throws {HttpError} 400 naming what is wrong with the body, 413 for a
 * message or history entry over 16 KiB.
 *
 * @example
 * ```ts
 * chatFromJson('{"message":"And in French?","history":[{"role":"user","content":"Say hi"},{"role":"assistant","content":"Hi"}]}');
 * ```
 */
export function chatFromJson(text: string): ChatMessage[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "Body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "Body must be a JSON object");
  }
  const { message: said, history = [] } = body as Record<string, unknown>;
  if (!Array.isArray(history)) throw new HttpError(400, "History must be an array");
  if (history.length > MAX_HISTORY) {
    throw new HttpError(400, `History longer than ${MAX_HISTORY} messages`);
  }
  const messages = history.map((entry, i): ChatMessage => {
    const { role, content } = (typeof entry === "object" && entry !== null ? entry : {}) as Record<
      string,
      unknown
    >;
    if ((role !== "user" && role !== "assistant") || typeof content !== "string") {
      throw new HttpError(
        400,
        `History entry ${i + 1} needs a role of user or assistant and a text content`,
      );
    }
    return { role, content: checkText(content, `History entry ${i + 1}`) };
  });
  messages.push({ role: "user", content: message(said) });
  return messages;
}
