import { HttpError } from "../http/http_error.ts";

/**
 * Passes bytes through unchanged and errors with `HttpError(413)` as soon as
 * more than `limit` bytes have gone by, so an undeclared upload body is cut
 * off the moment it grows too large. `bytes` counts what passed.
 *
 * @example
 * ```ts
 * request.body.pipeThrough(new ByteLimitStream(10 * 1024 ** 3));
 * ```
 */
export class ByteLimitStream extends TransformStream<Uint8Array, Uint8Array> {
  #bytes = 0;

  constructor(limit: number) {
    super({
      transform: (chunk, controller) => {
        this.#bytes += chunk.byteLength;
        if (this.#bytes > limit) {
          controller.error(new HttpError(413, "Upload too large"));
          return;
        }
        controller.enqueue(chunk);
      },
    });
  }

  /** Bytes that have passed (or tried to pass) so far. */
  get bytes(): number {
    return this.#bytes;
  }
}
