/**
 * Passes `source` through until `signal` aborts; then emits `last()` (for
 * SSE, a final `event: shutdown`), cancels `source` and closes. The abort
 * listener is removed when the stream ends or is cancelled, so a long-lived
 * signal does not collect listeners.
 *
 * @example
 * ```ts
 * endOnAbort(events, state.shutdownSignal, () => ({ event: "shutdown", data: "bye" }));
 * ```
 */
export function endOnAbort<T>(
  source: ReadableStream<T>,
  signal: AbortSignal,
  last: () => T,
): ReadableStream<T> {
  const reader = source.getReader();
  const aborted = Promise.withResolvers<"aborted">();
  const onAbort = () => aborted.resolve("aborted");
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  let pending: Promise<ReadableStreamReadResult<T>> | null = null;
  let finished = false;
  const finish = () => {
    finished = true;
    signal.removeEventListener("abort", onAbort);
  };
  return new ReadableStream<T>({
    async pull(controller) {
      pending ??= reader.read();
      const result = await Promise.race([pending, aborted.promise]);
      if (finished) return;
      if (result === "aborted") {
        finish();
        controller.enqueue(last());
        controller.close();
        await reader.cancel("Shutting down");
        return;
      }
      pending = null;
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
