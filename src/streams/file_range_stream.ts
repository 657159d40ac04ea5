/** Default read size: large enough for throughput, small enough to bound memory. */
export const CHUNK_SIZE = 256 * 1024;

/** The part of `Deno.FsFile` a range read needs. */
export type RangeSource = Pick<Deno.FsFile, "seek" | "read">;

/** A source a stream can own: readable at offsets and closable. */
export type OwnedSource = RangeSource & { close(): void };

/**
 * Yields the inclusive byte range `start..end` of an open file in chunks,
 * reading only when the consumer asks for the next one. Does not close the
 * file.
 *
 * @throws {RangeError} when the file ends before `end` (it shrank).
 */
export async function* readRange(
  file: RangeSource,
  start: number,
  end: number,
  chunkSize = CHUNK_SIZE,
): AsyncGenerator<Uint8Array> {
  await file.seek(start, Deno.SeekMode.Start);
  let position = start;
  while (position <= end) {
    const buffer = new Uint8Array(Math.min(chunkSize, end - position + 1));
    const n = await file.read(buffer);
    if (n === null) throw new RangeError("File ended before the requested range");
    position += n;
    yield n === buffer.length ? buffer : buffer.subarray(0, n);
  }
}

/**
 * A pull-based stream over `chunks` that owns `file`: the file closes exactly
 * once, when the chunks end, when reading fails, or when the consumer cancels
 * (even before the first pull, which an async generator's `finally` would
 * miss). At most one chunk is read ahead of the consumer.
 */
export function ownedFileStream(
  file: { close(): void },
  chunks: AsyncIterator<Uint8Array>,
): ReadableStream<Uint8Array> {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    file.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: IteratorResult<Uint8Array>;
      try {
        result = await chunks.next();
      } catch (error) {
        if (closed) return;
        close();
        controller.error(error);
        return;
      }
      if (closed) return;
      if (result.done) {
        close();
        controller.close();
      } else {
        controller.enqueue(result.value);
      }
    },
    cancel() {
      close();
    },
  });
}

/**
 * A pull-based stream of the inclusive byte range `start..end` of an open
 * file. A paused client holds at most one chunk. The stream owns the handle:
 * it closes on completion, on error and on `cancel()`.
 *
 * @example
 * ```ts
 * const file = await Deno.open("clip.mp4");
 * new Response(fileRangeStream(file, 100, 199)); // bytes 100..199
 * ```
 */
export function fileRangeStream(
  file: OwnedSource,
  start: number,
  end: number,
  chunkSize = CHUNK_SIZE,
): ReadableStream<Uint8Array> {
  return ownedFileStream(file, readRange(file, start, end, chunkSize));
}
