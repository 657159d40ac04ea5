/**
 * Fixed-size buffers lent out up to a process-wide count, so the memory
 * that streams buffer in total stays bounded however many run at once; a
 * borrower that gets none works unbuffered. A few returned buffers are kept
 * for reuse, the rest left to the garbage collector.
 *
 * @example
 * ```ts
 * const pool = new BufferPool(1024, 2);
 * const a = pool.take(); // a Uint8Array of 1024 bytes
 * pool.take();
 * pool.take(); // null: both are lent
 * pool.give(a!);
 * ```
 */
export class BufferPool {
  /** Bytes per buffer. */
  readonly size: number;
  /** Most buffers lent at once. */
  readonly max: number;
  readonly #keep: number;
  readonly #free: Uint8Array<ArrayBuffer>[] = [];
  #lent = 0;

  constructor(size: number, max: number, keep = 4) {
    this.size = size;
    this.max = max;
    this.#keep = keep;
  }

  /** Buffers lent right now. */
  get lent(): number {
    return this.#lent;
  }

  /** Lends a buffer, or returns `null` when `max` are lent. */
  take(): Uint8Array<ArrayBuffer> | null {
    if (this.#lent >= this.max) return null;
    this.#lent++;
    return this.#free.pop() ?? new Uint8Array(this.size);
  }

  /** Returns a buffer from `take()`; its contents are overwritten by the next borrower. */
  give(buffer: Uint8Array<ArrayBuffer>): void {
    this.#lent--;
    if (this.#free.length < this.#keep) this.#free.push(buffer);
  }
}

/**
 * Upload write batches (1 MiB each): at most 64 MiB across all uploads. An
 * upload beyond that writes each request-body chunk as it comes (slower on
 * a busy disk, no extra memory).
 */
export const uploadBatches: BufferPool = new BufferPool(1024 * 1024, 64);
