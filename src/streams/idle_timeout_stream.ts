import { HttpError } from "../http/http_error.ts";

/**
 * Passes chunks through unchanged and errors with `HttpError(408)` when no
 * chunk arrives for `ms` milliseconds (as nginx's `client_body_timeout`):
 * an upload body that stalls stops holding its stream slot, temp file and
 * buffer. The clock starts when the stream is created and restarts with
 * every chunk; `0` turns it off.
 *
 * @example
 * ```ts
 * request.body.pipeThrough(new IdleTimeoutStream(60_000));
 * ```
 */
export class IdleTimeoutStream extends TransformStream<Uint8Array, Uint8Array> {
  constructor(ms: number) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let arm = (_controller: TransformStreamDefaultController<Uint8Array>) => {};
    if (ms > 0) {
      arm = (controller) => {
        clearTimeout(timer);
        timer = setTimeout(
          () => controller.error(new HttpError(408, "Request body timed out")),
          ms,
        );
      };
    }
    super({
      start: (controller) => arm(controller),
      transform: (chunk, controller) => {
        arm(controller);
        controller.enqueue(chunk);
      },
      flush: () => clearTimeout(timer),
      cancel: () => clearTimeout(timer),
    });
  }
}
