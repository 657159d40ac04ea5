/** Kinds of long-lived streams the server counts. */
export type StreamKind = "download" | "upload" | "sse" | "websocket" | "progress";

/**
 * Process-wide live state: open streams by kind (for health, metrics and
 * shutdown) and the shutdown signal long-lived streams listen to.
 */
export class ServerState {
  readonly startedAt = Date.now();
  readonly #open = new Map<StreamKind, number>();
  readonly #shutdown = new AbortController();

  /** Aborted when the server begins a graceful shutdown. */
  get shutdownSignal(): AbortSignal {
    return this.#shutdown.signal;
  }

  /** Starts the graceful shutdown of every long-lived stream. */
  beginShutdown(): void {
    this.#shutdown.abort();
  }

  /**
   * Counts one open stream of `kind` until the returned release function is
   * called; calling it more than once is harmless.
   */
  track(kind: StreamKind): () => void {
    this.#open.set(kind, (this.#open.get(kind) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#open.set(kind, (this.#open.get(kind) ?? 1) - 1);
    };
  }

  /** Open streams by kind, every kind present (zero when none). */
  openStreams(): Record<StreamKind, number> {
    const kinds: StreamKind[] = ["download", "upload", "sse", "websocket", "progress"];
    return Object.fromEntries(kinds.map((k) => [k, this.#open.get(k) ?? 0])) as Record<
      StreamKind,
      number
    >;
  }
}
