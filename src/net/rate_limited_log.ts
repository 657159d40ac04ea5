/**
 * A log that writes at most one line per interval: lines in between are
 * counted, and the next line written says how many were dropped. For
 * conditions that can repeat thousands of times a second (descriptor
 * exhaustion, a flood of refused connections).
 *
 * @example
 * ```ts
 * const log = new RateLimitedLog((line) => console.error(line));
 * log.write("Out of file descriptors"); // written
 * log.write("Out of file descriptors"); // dropped, counted
 * ```
 */
export class RateLimitedLog {
  readonly #print: (line: string) => void;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #last = -Infinity;
  #dropped = 0;

  /** `now` returns milliseconds (tests pass a fake clock). */
  constructor(
    print: (line: string) => void,
    intervalMs = 1000,
    now: () => number = () => performance.now(),
  ) {
    this.#print = print;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Writes `line` unless a line was written less than an interval ago; returns whether it was. */
  write(line: string): boolean {
    const now = this.#now();
    if (now - this.#last < this.#intervalMs) {
      this.#dropped++;
      return false;
    }
    this.#last = now;
    const dropped = this.#dropped;
    this.#dropped = 0;
    this.#print(dropped === 0 ? line : `${line} (${dropped} similar lines dropped)`);
    return true;
  }
}
