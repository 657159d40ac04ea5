import { uploadBatches } from "./buffer_pool.ts";

/** What a batched writer writes to (a `Deno.FsFile`). */
export type WritableFile = Pick<Deno.FsFile, "write">;

async function writeAll(file: WritableFile, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    offset += await file.write(bytes.subarray(offset));
  }
}

/**
 * Writes chunks to `file` in batches of up to 1 MiB, copying small chunks
 * into a buffer borrowed from `uploadBatches`. Request bodies arrive in
 * chunks of ≤ 128 KiB; one async write per chunk costs a thread-pool round
 * trip each, which dominated upload time on a busy machine. When the pool
 * is empty (many uploads at once) chunks are written as they come, so all
 * uploads together never hold more than the pool's 64 MiB of batches.
 *
 * @example
 * ```ts
 * const batch = new BatchedWriter(file, (n) => console.log(`${n} bytes written`));
 * try {
 *   for await (const chunk of body) await batch.write(chunk);
 *   await batch.flush();
 * } finally {
 *   batch.release();
 * }
 * ```
 */
export class BatchedWriter {
  readonly #file: WritableFile;
  readonly #wrote: (bytes: number) => void;
  #buffer: Uint8Array<ArrayBuffer> | null = uploadBatches.take();
  #filled = 0;

  /** `wrote` hears of every write that reached the file. */
  constructor(file: WritableFile, wrote: (bytes: number) => void = () => {}) {
    this.#file = file;
    this.#wrote = wrote;
  }

  /** Takes `chunk`: copied into the batch, or written at once; `chunk` may be reused after. */
  async write(chunk: Uint8Array): Promise<void> {
    const buffer = this.#buffer;
    if (buffer === null) return await this.#writeAll(chunk);
    if (this.#filled + chunk.length > buffer.length) await this.flush();
    if (chunk.length >= buffer.length) return await this.#writeAll(chunk);
    buffer.set(chunk, this.#filled);
    this.#filled += chunk.length;
  }

  /** Writes what the batch holds. */
  async flush(): Promise<void> {
    if (this.#filled === 0 || this.#buffer === null) return;
    await this.#writeAll(this.#buffer.subarray(0, this.#filled));
    this.#filled = 0;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    await writeAll(this.#file, bytes);
    this.#wrote(bytes.length);
  }

  /** Returns the buffer to the pool (once no write is in flight); unflushed bytes are dropped. */
  release(): void {
    if (this.#buffer !== null) uploadBatches.give(this.#buffer);
    this.#buffer = null;
  }
}
