/** Default read size: large enough for throughput, small enough to bound memory. */
export const CHUNK_SIZE = 256 * 1024;

/** The part of `Deno.FsFile` a range read needs. */
export type RangeSource = Pick<Deno.FsFile, "seek" | "read">;

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
  file: Deno.FsFile,
  start: number,
  end: number,
  chunkSize = CHUNK_SIZE,
): ReadableStream<Uint8Array> {
  async function* owned(): AsyncGenerator<Uint8Array> {
    try {
      yield* readRange(file, start, end, chunkSize);
    } finally {
      file.close();
    }
  }
  return ReadableStream.from(owned());
}
