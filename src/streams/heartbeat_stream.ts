/**
 * Passes `source` through and, whenever it has been quiet for `intervalMs`
 * while the consumer is waiting, emits `beat()` instead (an SSE comment
 * keeps proxies from closing idle connections). Pull-based: a consumer that
 * does not read gets no heartbeats queued. `cancel()` clears the timer and
 * cancels `source`.
 *
 * @example
 * ```ts
 * withHeartbeat(events, 15_000, () => ({ comment: "heartbeat" }));
 * ```
 */
export function withHeartbeat<T>(
  source: ReadableStream<T>,
  intervalMs: number,
  beat: () => T,
): ReadableStream<T> {
  const reader = source.getReader();
  let pending: Promise<ReadableStreamReadResult<T>> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  return new ReadableStream<T>({
    async pull(controller) {
      pending ??= reader.read();
      const tick = new Promise<"beat">((resolve) => {
        timer = setTimeout(resolve, intervalMs, "beat");
      });
      const result = await Promise.race([pending, tick]);
      clearTimeout(timer);
      if (finished) return;
      if (result === "beat") {
        controller.enqueue(beat());
        return;
      }
      pending = null;
      if (result.done) {
        finished = true;
        controller.close();
      } else {
        controller.enqueue(result.value);
      }
    },
    cancel(reason) {
      finished = true;
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
