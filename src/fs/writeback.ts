import type { PageCache } from "./page_cache.ts";

/**
 * The usual step of a {@linkcode Writeback}. Measured with 16 MiB `PATCH`es
 * of a 2 GiB resumable upload: the sync that acknowledges each one went
 * from about 4.5 ms (one flush at half the body) to about 2 ms (steps of 1
 * or 2 MiB slowed the body more than they saved); the whole upload's speed
 * did not change beyond the noise.
 */
export const WRITEBACK_STEP = 4 * 1024 * 1024;

/** Options of a {@linkcode Writeback}. */
export interface WritebackOptions {
  /** Path of the file (for the page cache). */
  path: string;
  /** Offset in the file where this writing began. */
  start: number;
  /** A background flush starts whenever this many bytes were written since the last one began. */
  step: number;
  /** Drops what each flush made durable from the page cache; `null` keeps it. */
  pageCache: PageCache | null;
}

/**
 * Flushes a file that is being written while the writing goes on: whenever
 * `step` more bytes were written, a background `fdatasync` starts (one at a
 * time), so the disk works while the body still arrives and the final
 * {@linkcode Writeback.sync} waits only for the tail. With a page cache,
 * each flushed range is then dropped from memory.
 *
 * A failed background flush fails the next {@linkcode Writeback.settled}
 * or {@linkcode Writeback.sync}: Linux reports a write error to one
 * `fsync` only, so a later one might not see it.
 *
 * @example
 * ```ts
 * const writeback = new Writeback(() => file.syncData(), { path, start: 0, step: 4 << 20, pageCache: null });
 * await file.write(bytes);
 * writeback.wrote(bytes.length);
 * await writeback.sync(); // everything written is on disk
 * ```
 */
export class Writeback {
  readonly #flush: () => Promise<void>;
  readonly #options: WritebackOptions;
  #written = 0;
  #flushedFrom = 0;
  #durable = 0;
  #running: Promise<void> | null = null;
  #error: { error: unknown } | null = null;

  /** `flush` makes everything written so far durable (`fdatasync`). */
  constructor(flush: () => Promise<void>, options: WritebackOptions) {
    this.#flush = flush;
    this.#options = options;
  }

  /** Bytes written since the start. */
  get written(): number {
    return this.#written;
  }

  /** Notes `bytes` more written; starts a background flush every `step`. */
  wrote(bytes: number): void {
    this.#written += bytes;
    if (this.#running !== null || this.#written - this.#flushedFrom < this.#options.step) return;
    const upTo = this.#flushedFrom = this.#written;
    this.#running = this.#flush()
      .then(() => this.#durableTo(upTo), (error) => void (this.#error ??= { error }))
      .finally(() => this.#running = null);
  }

  /** Waits for the running background flush; rethrows a failed one's error. */
  async settled(): Promise<void> {
    await this.#running;
    if (this.#error !== null) throw this.#error.error;
  }

  /** Makes every byte written so far durable. */
  async sync(): Promise<void> {
    await this.settled();
    if (this.#durable === this.#written) return;
    const upTo = this.#written;
    await this.#flush();
    this.#durableTo(upTo);
  }

  #durableTo(upTo: number): void {
    const { pageCache, path, start } = this.#options;
    pageCache?.drop(path, start + this.#durable, upTo - this.#durable);
    this.#durable = Math.max(this.#durable, upTo);
  }
}
