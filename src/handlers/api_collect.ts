import type { Handler } from "../context.ts";
import { rejectContentEncoding } from "../http/content_encoding.ts";
import { HttpError } from "../http/http_error.ts";
import { NdjsonLineStream } from "../streams/ndjson_line_stream.ts";
import { ByteLimitStream } from "../streams/byte_limit_stream.ts";

/** Largest request body `POST /_/api/collect` reads. */
export const COLLECT_LIMIT = 1024 * 1024;

/** The text a message contributes: itself if a string, else its `text` field. */
export function messageText(message: unknown): string {
  if (typeof message === "string") return message;
  if (typeof message === "object" && message !== null && "text" in message) {
    return typeof message.text === "string" ? message.text : "";
  }
  return "";
}

/**
 * `POST /_/api/collect` (client streaming): reads an NDJSON request body
 * message by message as it arrives and answers one JSON summary,
 * `{"count":…,"bytes":…,"text":…}` where `text` joins each message's text.
 * Bodies over 1 MiB get 413 as soon as the limit is crossed.
 */
export const apiCollect: Handler = async (request) => {
  rejectContentEncoding(request.headers);
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > COLLECT_LIMIT) throw new HttpError(413, "Request body too large");
  const limit = new ByteLimitStream(COLLECT_LIMIT);
  let count = 0;
  let text = "";
  if (request.body) {
    const lines = request.body
      .pipeThrough(limit)
      .pipeThrough(new TextDecoderStream("utf-8", { fatal: true }))
      .pipeThrough(new NdjsonLineStream());
    try {
      for await (const line of lines) {
        count++;
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          throw new HttpError(400, `Message ${count} is not valid JSON`);
        }
        text += messageText(message);
      }
    } catch (error) {
      if (error instanceof RangeError) throw new HttpError(413, "Message too long");
      if (error instanceof TypeError) throw new HttpError(400, "Request body is not valid UTF-8");
      throw error;
    }
  }
  return Response.json({ count, bytes: limit.bytes, text });
};
