/**
 * Runs `fn` with `console.log` or `console.error` captured, and returns what
 * it wrote: one string per call, its arguments joined by spaces.
 *
 * @example
 * ```ts
 * const lines = await captureConsole("error", async () => { ... });
 * ```
 */
export async function captureConsole(
  method: "log" | "error",
  fn: () => Promise<void>,
): Promise<string[]> {
  const lines: string[] = [];
  const original = console[method];
  console[method] = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console[method] = original;
  }
  return lines;
}
