/**
 * A pull-based stream of `items`: the first at once, each next one
 * `intervalMs` after the consumer asked for it, and the stream closes right
 * after the last item. Items are taken from the iterable lazily (one ahead),
 * so a generator can describe a large sequence. `cancel()` clears the
 * pending timer and stops the iterator.
 *
 * @example
 * ```ts
 * pacedStream(["3", "2", "1"], 1000); // "3" now, "2" after 1 s, "1" after 2 s
 * ```
 */
export function pacedStream<T>(items: Iterable<T>, intervalMs: number): ReadableStream<T> {
  const iterator = items[Symbol.iterator]();
  let next = iterator.next();
  let first = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let cancelled = false;
  return new ReadableStream<T>({
    start(controller) {
      if (next.done) controller.close();
    },
    async pull(controller) {
      if (!first) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, intervalMs);
        });
        if (cancelled) return;
      }
      first = false;
      controller.enqueue((next as IteratorYieldResult<T>).value);
      next = iterator.next();
      if (next.done) controller.close();
    },
    cancel() {
      cancelled = true;
      clearTimeout(timer);
      wake?.();
      iterator.return?.();
    },
  }, { highWaterMark: 0 });
}
