import type { RangeSource } from "./file_range_stream.ts";

/**
 * A `Deno.FsFile`-shaped view of bytes already in memory, so range and
 * multipart streams can serve cached files without opening them.
 */
export function memoryRangeSource(bytes: Uint8Array): RangeSource & { close(): void } {
  let position = 0;
  return {
    seek(offset: number) {
      position = offset;
      return Promise.resolve(position);
    },
    read(buffer: Uint8Array) {
      const n = Math.min(buffer.length, bytes.length - position);
      if (n <= 0) return Promise.resolve(null);
      buffer.set(bytes.subarray(position, position + n));
      position += n;
      return Promise.resolve(n);
    },
    close() {},
  };
}
