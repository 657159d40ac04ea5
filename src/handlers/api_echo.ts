import type { Handler } from "../context.ts";
import { rejectContentEncoding } from "../http/content_encoding.ts";
import { HttpError } from "../http/http_error.ts";
import { openStream } from "../stream_slots.ts";
import { NdjsonEncoderStream } from "../streams/ndjson_encoder_stream.ts";
import { NdjsonLineStream } from "../streams/ndjson_line_stream.ts";
import { streamResponse } from "./stream_response.ts";

/** One answer of the full-duplex echo. */
export type EchoReply =
  | { seq: number; received: unknown }
  | { seq: number; error: string }
  | { error: string };

/** Answers each NDJSON line as it arrives; a broken body ends with an error line. */
export async function* echoReplies(lines: AsyncIterable<string>): AsyncGenerator<EchoReply> {
  let seq = 0;
  try {
    for await (const line of lines) {
      seq++;
      let reply: EchoReply;
      try {
        reply = { seq, received: JSON.parse(line) };
      } catch {
        reply = { seq, error: "Invalid JSON" };
      }
      yield reply;
    }
  } catch (error) {
    yield { error: error instanceof RangeError ? "Line too long" : "Request body failed" };
  }
}

/**
 * `POST /_/api/echo` (bidirectional over HTTP/1.1): each NDJSON line of the
 * streamed request body is answered by `{"seq":n,"received":…}` in the
 * streamed response while the upload is still going. Lines longer than
 * 64 KiB end the exchange with `{"error":"Line too long"}`.
 */
export const apiEcho: Handler = (request, ctx) => {
  if (!request.body) throw new HttpError(400, "Request body required");
  rejectContentEncoding(request.headers);
  const release = openStream(ctx, "progress");
  const lines = request.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new NdjsonLineStream({ maxLineLength: 64 * 1024 }));
  const body = ReadableStream.from(echoReplies(lines)).pipeThrough(new NdjsonEncoderStream());
  return streamResponse(request, body, release, {
    headers: {
      "content-type": "application/x-ndjson",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
};
