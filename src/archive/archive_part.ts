/**
 * An archive as a sequence of parts whose lengths follow from the entry
 * list alone (`zipParts`, `tarParts`), and the mapping of a byte range onto
 * them: "bytes 7-30 of header 2, bytes 0-999 of file 2, …". Nothing is read
 * to place a range, so a resumed download seeks straight into the right
 * entry's file.
 *
 * @module
 */

import type { ByteRange } from "../http/range.ts";

/** One stretch of an archive. */
export type ArchivePart =
  /** Headers, padding or the end record: bytes from the entry list alone. */
  | { type: "framing"; length: number; render: () => Uint8Array<ArrayBuffer> }
  /**
   * Bytes of the file of entry `entry` (an index into the archive's
   * entries); `checksummed` when its CRC-32 follows right after (ZIP).
   */
  | { type: "content"; length: number; entry: number; checksummed: boolean }
  /** Framing that carries the CRC-32 of entry `entry` (ZIP descriptors, central headers). */
  | {
    type: "checksum";
    length: number;
    entry: number;
    render: (crc: number) => Uint8Array<ArrayBuffer>;
  };

/** The piece of a part that falls inside a range. */
export interface PartSlice {
  part: ArchivePart;
  /** Where the part starts in the archive. */
  offset: number;
  /** First byte of the part that is inside the range. */
  from: number;
  /** One past the last byte of the part that is inside the range. */
  to: number;
}

/**
 * The parts that overlap the inclusive `range`, in order, each with the
 * stretch of it inside the range; empty parts are skipped. Lazy: parts
 * after the range are never produced.
 *
 * @example
 * ```ts
 * // A 512-byte header then 6 bytes of content: bytes 510-512 are the
 * // header's last two bytes and the content's first.
 * [...sliceParts(tarParts(entries), { start: 510, end: 512 })];
 * ```
 */
export function* sliceParts(
  parts: Iterable<ArchivePart>,
  range: ByteRange,
): Generator<PartSlice> {
  let offset = 0;
  for (const part of parts) {
    if (offset > range.end) return;
    const end = offset + part.length;
    if (end > range.start && part.length > 0) {
      yield {
        part,
        offset,
        from: Math.max(0, range.start - offset),
        to: Math.min(part.length, range.end + 1 - offset),
      };
    }
    offset = end;
  }
}
