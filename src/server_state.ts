import type { PageCache } from "./fs/page_cache.ts";

/** Kinds of long-lived requests the server counts. */
export const STREAM_KINDS = [
  "download",
  "upload",
  "sse",
  "websocket",
  "progress",
  "search",
] as const;

/** One of `STREAM_KINDS`. */
export type StreamKind = typeof STREAM_KINDS[number];

/**
 * Process-wide live state: open streams by kind (for health, metrics and
 * shutdown), the shutdown signal long-lived streams listen to, and the
 * page cache uploads drop their bytes from.
 */
export class ServerState {
  readonly startedAt = Date.now();
  /** Where uploads drop what is on disk from memory (`--drop-upload-cache`), else `null`. */
  readonly pageCache: PageCache | null;
  /**
   * Temp files of uploads in progress. Shutdown removes those still here
   * when its grace ends: a process exit skips the uploads' own cleanup.
   */
  readonly temps: Set<string> = new Set();
  readonly #open = new Map<StreamKind, number>();
  readonly #idle = new Map<StreamKind, (() => void)[]>();
  readonly #shutdown = new AbortController();

  constructor(options: { pageCache?: PageCache | null } = {}) {
    this.pageCache = options.pageCache ?? null;
  }

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
      const left = (this.#open.get(kind) ?? 1) - 1;
      this.#open.set(kind, left);
      if (left === 0) { for (const resolve of this.#idle.get(kind)?.splice(0) ?? []) resolve(); }
    };
  }

  /** Resolves once no stream of `kind` is open (at once when none is). */
  idle(kind: StreamKind): Promise<void> {
    if ((this.#open.get(kind) ?? 0) === 0) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#idle.set(kind, [...this.#idle.get(kind) ?? [], resolve]);
    return promise;
  }

  /** Open streams by kind, every kind present (zero when none). */
  openStreams(): Record<StreamKind, number> {
    return Object.fromEntries(STREAM_KINDS.map((k) => [k, this.#open.get(k) ?? 0])) as Record<
      StreamKind,
      number
    >;
  }
}
