/** Failed attempts a client may make per window before it must wait. */
export const MAX_FAILURES = 10;

/** Length of the window, in milliseconds. */
export const WINDOW_MS = 60_000;

/** Clients remembered at most: the oldest are forgotten first. */
const MAX_CLIENTS = 10_000;

interface Window {
  start: number;
  failures: number;
}

/**
 * Counts failed share-link attempts (unknown tokens, wrong passwords) per
 * client in fixed windows: after `MAX_FAILURES` in one window the client is
 * refused until the window ends. Memory is bounded. The clock is passed in,
 * so the rules are testable without waiting.
 */
export class FailureLimiter {
  readonly #windows = new Map<string, Window>();

  /** Seconds `client` must wait before trying again, 0 when it may try now. */
  retryAfter(client: string, now: number): number {
    const window = this.#windows.get(client);
    if (!window || now - window.start >= WINDOW_MS) return 0;
    if (window.failures < MAX_FAILURES) return 0;
    return Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000));
  }

  /** Records one failure of `client`. */
  fail(client: string, now: number): void {
    let window = this.#windows.get(client);
    if (!window || now - window.start >= WINDOW_MS) {
      window = { start: now, failures: 0 };
      // Re-inserted last, so the map's first key is always the stalest client.
      this.#windows.delete(client);
      if (this.#windows.size >= MAX_CLIENTS) {
        this.#windows.delete(this.#windows.keys().next().value!);
      }
      this.#windows.set(client, window);
    }
    window.failures++;
  }
}
