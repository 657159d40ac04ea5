import { finallyStream } from "../streams/finally_stream.ts";

/**
 * A response with a long-lived streamed body that calls `release` when the
 * body ends, fails or is cancelled by a client that left. For `HEAD` the
 * body is cancelled at once (releasing too) and only the headers are sent.
 */
export function streamResponse(
  request: Request,
  body: ReadableStream<Uint8Array>,
  release: () => void,
  init: ResponseInit,
): Response {
  const owned = finallyStream(body, release);
  if (request.method === "HEAD") {
    owned.cancel();
    return new Response(null, init);
  }
  return new Response(owned, init);
}
