/** Share of `--max-memory` at which new long-lived streams are refused. */
export const MEMORY_HEADROOM = 0.9;

/**
 * Whether a resident set of `rss` bytes is close enough to `budget` that a
 * new long-lived stream must wait. An unknown RSS (0: Deno could not read
 * it, e.g. while descriptors ran out) never refuses.
 *
 * @example
 * ```ts
 * nearBudget(1_900_000_000, 2 * 1024 ** 3); // false (88 %)
 * nearBudget(1_950_000_000, 2 * 1024 ** 3); // true (91 %)
 * ```
 */
export function nearBudget(rss: number, budget: number): boolean {
  return rss > 0 && rss >= budget * MEMORY_HEADROOM;
}

/** How long one RSS sample is reused: streams may open thousands of times a second. */
const SAMPLE_MS = 250;

let sampledAt = -Infinity;
let sampledRss = 0;

/**
 * This process's resident set size in bytes, sampled at most every 250 ms
 * (one value per process, shared by every server in it).
 */
export function currentRss(now: number = performance.now()): number {
  if (now - sampledAt >= SAMPLE_MS) {
    sampledAt = now;
    try {
      sampledRss = Deno.memoryUsage().rss;
    } catch {
      sampledRss = 0;
    }
  }
  return sampledRss;
}
