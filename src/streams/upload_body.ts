import { IdleTimeoutStream } from "./idle_timeout_stream.ts";
import { BufferPool, pooledChunks } from "./pooled_chunk_stream.ts";

/**
 * The read buffers of every upload body in this process (`PUT`, drop box,
 * resumable `PATCH`), 128 KiB each, a few kept for reuse. Reading into
 * reused buffers of this size means fewer, larger steps through the limit
 * and digest stages than Deno's own 64 KiB chunks, and no garbage per
 * chunk: a 1 GiB `PUT` took about 20% less CPU and peak RSS fell from 129
 * to 76 MiB; a 2 GiB resumable upload's from 160 to 94 MiB (see
 * docs/compile-and-bench.md).
 */
export const uploadReads: BufferPool = new BufferPool(128 * 1024, 8);

/**
 * An upload's request body as every upload reads it: into buffers of
 * {@linkcode uploadReads} (the consumer gives each chunk's buffer back
 * once done with it), cut off with `HttpError(408)` when no chunk arrives
 * for `idleMs` (0: never). The timeout comes after the pooled reads, which
 * need the raw byte stream.
 *
 * @example
 * ```ts
 * for await (const chunk of uploadBody(request.body, 60_000)) {
 *   await file.write(chunk);
 *   uploadReads.give(chunk.buffer);
 * }
 * ```
 */
export function uploadBody(
  body: ReadableStream<Uint8Array> | null,
  idleMs: number,
): ReadableStream<Uint8Array> {
  const chunks = pooledChunks(body ?? ReadableStream.from<Uint8Array>([]), uploadReads);
  return idleMs > 0 ? chunks.pipeThrough(new IdleTimeoutStream(idleMs)) : chunks;
}
