/**
 * The ZIP framing (APPNOTE 6.3) of a stored, uncompressed archive whose
 * entries are known up front. Each file's CRC-32 is only known once its
 * bytes have been sent, so files carry a data descriptor (flag bit 3);
 * sizes are known, so the whole archive's length is exact before the first
 * byte. ZIP64 records appear only where a size, offset or count needs them.
 * Names are UTF-8 (flag bit 11), and an extended-timestamp field carries
 * each entry's exact modification time.
 *
 * @module
 */

import { type ArchiveEntry, archiveMode } from "./archive_entry.ts";
import type { ArchivePart } from "./archive_part.ts";

/** One entry placed in the archive. */
export interface ZipEntry<T extends ArchiveEntry = ArchiveEntry> {
  entry: T;
  /** The UTF-8 name (folders end with `/`). */
  name: Uint8Array;
  /** Where its local header starts. */
  offset: number;
}

/** Where everything goes in an archive. */
export interface ZipLayout<T extends ArchiveEntry = ArchiveEntry> {
  entries: ZipEntry<T>[];
  /** Where the central directory starts. */
  centralOffset: number;
  centralLength: number;
  /** Exact length of the whole archive. */
  length: number;
}

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
/** The extended-timestamp extra field (0x5455) with the modification time. */
const TIMESTAMP_LENGTH = 9;
const encoder = new TextEncoder();

const needsZip64 = (n: number) => n >= MAX32;

/** Places every entry: offsets, the central directory and the total length. */
export function zipLayout<T extends ArchiveEntry>(entries: readonly T[]): ZipLayout<T> {
  const placed: ZipEntry<T>[] = [];
  let offset = 0;
  let centralLength = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.isDirectory ? entry.name + "/" : entry.name);
    const item = { entry, name, offset };
    placed.push(item);
    centralLength += centralHeaderLength(item);
    offset += localHeaderLength(entry, name) + entry.size + descriptorLength(entry);
  }
  const endLength = needsZip64End(placed.length, offset, centralLength) ? 56 + 20 + 22 : 22;
  return {
    entries: placed,
    centralOffset: offset,
    centralLength,
    length: offset + centralLength + endLength,
  };
}

/**
 * The archive of `layout` as parts, in order: per entry its local header,
 * its bytes and its data descriptor, then the central directory and the
 * end records. Their lengths add up to `layout.length`.
 */
export function* zipParts(layout: ZipLayout): Generator<ArchivePart> {
  for (const [i, item] of layout.entries.entries()) {
    const header = localHeaderLength(item.entry, item.name);
    yield { type: "framing", length: header, render: () => zipLocalHeader(item) };
    if (item.entry.isDirectory) continue;
    yield { type: "content", length: item.entry.size, entry: i, checksummed: true };
    yield {
      type: "checksum",
      length: descriptorLength(item.entry),
      entry: i,
      render: (crc) => zipDataDescriptor(item, crc),
    };
  }
  for (const [i, item] of layout.entries.entries()) {
    yield {
      type: "checksum",
      length: centralHeaderLength(item),
      entry: i,
      render: (crc) => zipCentralHeader(item, crc),
    };
  }
  const end = layout.length - layout.centralOffset - layout.centralLength;
  yield { type: "framing", length: end, render: () => zipEnd(layout) };
}

function localHeaderLength(entry: ArchiveEntry, name: Uint8Array): number {
  return 30 + name.length + TIMESTAMP_LENGTH + (needsZip64(entry.size) ? 20 : 0);
}

function centralHeaderLength({ entry, name, offset }: ZipEntry): number {
  return 46 + name.length + TIMESTAMP_LENGTH + zip64ExtraLength(entry.size, offset);
}

function descriptorLength(entry: ArchiveEntry): number {
  if (entry.isDirectory) return 0;
  return needsZip64(entry.size) ? 24 : 16;
}

function zip64ExtraLength(size: number, offset: number): number {
  const fields = (needsZip64(size) ? 2 : 0) + (needsZip64(offset) ? 1 : 0);
  return fields === 0 ? 0 : 4 + 8 * fields;
}

function needsZip64End(count: number, centralOffset: number, centralLength: number): boolean {
  return count >= MAX16 || needsZip64(centralOffset) || needsZip64(centralLength);
}

/** A little-endian writer over a fresh buffer. */
class Writer {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly #view: DataView;
  #at = 0;
  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.#view = new DataView(this.bytes.buffer);
  }
  u16(n: number): this {
    this.#view.setUint16(this.#at, n, true);
    this.#at += 2;
    return this;
  }
  u32(n: number): this {
    this.#view.setUint32(this.#at, n, true);
    this.#at += 4;
    return this;
  }
  u64(n: number): this {
    this.#view.setBigUint64(this.#at, BigInt(n), true);
    this.#at += 8;
    return this;
  }
  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.#at);
    this.#at += bytes.length;
    return this;
  }
}

const FLAGS_FILE = 0x0808; // data descriptor + UTF-8 names
const FLAGS_FOLDER = 0x0800;
const VERSION_MADE_BY = (3 << 8) | 45; // Unix, spec 4.5

function version(zip64: boolean): number {
  return zip64 ? 45 : 20;
}

/** The local file header that precedes an entry's bytes. */
export function zipLocalHeader(item: ZipEntry): Uint8Array<ArrayBuffer> {
  const { entry, name } = item;
  const zip64 = needsZip64(entry.size);
  const [time, date] = dosDateTime(entry.mtime);
  const w = new Writer(localHeaderLength(entry, name))
    .u32(0x04034b50).u16(version(zip64))
    .u16(entry.isDirectory ? FLAGS_FOLDER : FLAGS_FILE).u16(0).u16(time).u16(date)
    // CRC-32 and sizes follow in the data descriptor.
    .u32(0).u32(zip64 ? MAX32 : 0).u32(zip64 ? MAX32 : 0)
    .u16(name.length).u16(TIMESTAMP_LENGTH + (zip64 ? 20 : 0))
    .raw(name);
  timestampField(w, entry.mtime);
  if (zip64) w.u16(0x0001).u16(16).u64(0).u64(0);
  return w.bytes;
}

/** The data descriptor after a file's bytes, with their CRC-32. */
export function zipDataDescriptor(item: ZipEntry, crc: number): Uint8Array<ArrayBuffer> {
  const { size } = item.entry;
  const w = new Writer(descriptorLength(item.entry)).u32(0x08074b50).u32(crc);
  return needsZip64(size) ? w.u64(size).u64(size).bytes : w.u32(size).u32(size).bytes;
}

/** An entry's central directory header. */
export function zipCentralHeader(item: ZipEntry, crc: number): Uint8Array<ArrayBuffer> {
  const { entry, name, offset } = item;
  const bigSize = needsZip64(entry.size);
  const bigOffset = needsZip64(offset);
  const extra = zip64ExtraLength(entry.size, offset);
  const [time, date] = dosDateTime(entry.mtime);
  const mode = (entry.isDirectory ? 0o40000 : 0o100000) | archiveMode(entry);
  const w = new Writer(centralHeaderLength(item))
    .u32(0x02014b50).u16(VERSION_MADE_BY).u16(version(bigSize || bigOffset))
    .u16(entry.isDirectory ? FLAGS_FOLDER : FLAGS_FILE).u16(0).u16(time).u16(date)
    .u32(crc).u32(bigSize ? MAX32 : entry.size).u32(bigSize ? MAX32 : entry.size)
    .u16(name.length).u16(TIMESTAMP_LENGTH + extra).u16(0).u16(0).u16(0)
    .u32(((mode << 16) | (entry.isDirectory ? 0x10 : 0)) >>> 0)
    .u32(bigOffset ? MAX32 : offset)
    .raw(name);
  timestampField(w, entry.mtime);
  if (extra > 0) {
    w.u16(0x0001).u16(extra - 4);
    if (bigSize) w.u64(entry.size).u64(entry.size);
    if (bigOffset) w.u64(offset);
  }
  return w.bytes;
}

/** The end of central directory record (with its ZIP64 form when needed). */
export function zipEnd(layout: ZipLayout): Uint8Array<ArrayBuffer> {
  const count = layout.entries.length;
  const { centralOffset, centralLength } = layout;
  const zip64 = needsZip64End(count, centralOffset, centralLength);
  const w = new Writer(zip64 ? 56 + 20 + 22 : 22);
  if (zip64) {
    w.u32(0x06064b50).u64(44).u16(VERSION_MADE_BY).u16(45).u32(0).u32(0)
      .u64(count).u64(count).u64(centralLength).u64(centralOffset);
    w.u32(0x07064b50).u32(0).u64(centralOffset + centralLength).u32(1);
  }
  const small = (n: number, max: number) => (zip64 && n >= max ? max : n);
  w.u32(0x06054b50).u16(0).u16(0)
    .u16(small(count, MAX16)).u16(small(count, MAX16))
    .u32(small(centralLength, MAX32)).u32(small(centralOffset, MAX32)).u16(0);
  return w.bytes;
}

/** Latest time the extended-timestamp field holds: Info-ZIP reads it as signed. */
const MAX_UNIX_SECONDS = 0x7fffffff;

function timestampField(w: Writer, mtime: number): void {
  const seconds = Math.min(MAX_UNIX_SECONDS, Math.max(0, Math.floor(mtime / 1000)));
  w.u16(0x5455).u16(5).raw(Uint8Array.of(1)).u32(seconds);
}

/** MS-DOS time and date (local time, 2-second steps, 1980 to 2107). */
export function dosDateTime(mtime: number): [number, number] {
  const d = new Date(mtime);
  const year = d.getFullYear();
  if (Number.isNaN(year) || year < 1980) return [0, (1 << 5) | 1];
  if (year > 2107) return [(23 << 11) | (59 << 5) | 29, (127 << 9) | (12 << 5) | 31];
  const time = (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1);
  const date = ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
  return [time, date];
}
