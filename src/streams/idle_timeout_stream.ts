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
    // One timer per quiet period, not one per chunk: each chunk only notes
    // the time, and the timer, when it fires, waits out what is left.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const watch = (controller: TransformStreamDefaultController<Uint8Array>) => {
      const check = () => {
        const idle = performance.now() - last;
        if (idle >= ms) controller.error(new HttpError(408, "Request body timed out"));
        else timer = setTimeout(check, ms - idle);
      };
      last = performance.now();
      timer = setTimeout(check, ms);
    };
    super({
      start: (controller) => {
        if (ms > 0) watch(controller);
      },
      transform: (chunk, controller) => {
        last = performance.now();
        controller.enqueue(chunk);
      },
      flush: () => clearTimeout(timer),
      cancel: () => clearTimeout(timer),
    });
  }
}
