import { finallyStream } from "../streams/finally_stream.ts";

/**
 * A response with a long-lived streamed body that calls `release` when the
 * body ends, fails or is cancelled by a client that left. For `HEAD` the
 * body is cancelled at once (releasing too) and only the headers are sent
 * (`headResponse`).
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
    return headResponse(init);
  }
  return new Response(owned, init);
}

/**
 * The answer to `HEAD` for a body of unknown length: the headers of the
 * `GET` and no `Content-Length` (RFC 9110 §8.6). A `null` body would make
 * Deno claim `content-length: 0`; an empty stream sends nothing and no length.
 */
export function headResponse(init: ResponseInit): Response {
  return new Response(new ReadableStream({ start: (controller) => controller.close() }), init);
}
