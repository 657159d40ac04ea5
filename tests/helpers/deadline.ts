/**
 * Fails a test that would otherwise hang: resolves like `promise`, or
 * rejects after `ms` (default 10 s) naming what never happened. A guard
 * against hangs only, never a timing assertion: the limit is far above any
 * expected wait.
 *
 * @example
 * ```ts
 * const first = await deadline(reader.read(), "the first event");
 * ```
 */
export async function deadline<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
