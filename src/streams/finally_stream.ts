/**
 * Passes `source` through and calls `onFinally` exactly once, when the
 * stream ends, errors or is cancelled (the client left). Used to release
 * stream accounting (`ServerState.track`) and per-client slots.
 *
 * @example
 * ```ts
 * finallyStream(body, ctx.state.track("sse"));
 * ```
 */
export function finallyStream<T>(
  source: ReadableStream<T>,
  onFinally: () => void,
): ReadableStream<T> {
  const reader = source.getReader();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    onFinally();
  };
  return new ReadableStream<T>({
    async pull(controller) {
      let result: ReadableStreamReadResult<T>;
      try {
        result = await reader.read();
      } catch (error) {
        finish();
        throw error;
      }
      if (result.done) {
        finish();
        controller.close();
      } else {
        controller.enqueue(result.value);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
