import type { ByteRange } from "../http/range.ts";
import { CHUNK_SIZE, ownedFileStream, type OwnedSource, readRange } from "./file_range_stream.ts";

const encoder = new TextEncoder();

/** The fixed framing of a `multipart/byteranges` body, computed up front. */
export interface MultipartLayout {
  boundary: string;
  /** Part headers, one per range, already encoded. */
  heads: Uint8Array[];
  tail: Uint8Array;
  /** Exact body length: framing plus range bytes. */
  length: number;
}

/**
 * Computes the framing for a multipart/byteranges body (RFC 9110 §14.6),
 * so `Content-Length` is known before any byte is read.
 */
export function multipartLayout(
  ranges: readonly ByteRange[],
  size: number,
  contentType: string,
  boundary: string,
): MultipartLayout {
  const heads = ranges.map((r, i) =>
    encoder.encode(
      `${i === 0 ? "" : "\r\n"}--${boundary}\r\nContent-Type: ${contentType}\r\n` +
        `Content-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`,
    )
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  let length = tail.length;
  for (let i = 0; i < ranges.length; i++) {
    length += heads[i].length + ranges[i].end - ranges[i].start + 1;
  }
  return { boundary, heads, tail, length };
}

/**
 * Streams the parts of a multipart/byteranges body one at a time from one
 * open file; nothing is buffered beyond the current chunk. Closes the file
 * when done, on error or when cancelled.
 */
export function multipartByterangesStream(
  file: OwnedSource,
  ranges: readonly ByteRange[],
  layout: MultipartLayout,
  chunkSize = CHUNK_SIZE,
): ReadableStream<Uint8Array> {
  async function* parts(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < ranges.length; i++) {
      yield layout.heads[i];
      yield* readRange(file, ranges[i].start, ranges[i].end, chunkSize);
    }
    yield layout.tail;
  }
  return ownedFileStream(file, parts());
}
