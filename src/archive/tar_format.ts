/**
 * The POSIX tar (ustar + pax) framing of an archive whose entries are known
 * up front: pure functions, so the exact archive length is known before the
 * first byte is sent.
 *
 * @module
 */

import { type ArchiveEntry, archiveMode } from "./archive_entry.ts";
import type { ArchivePart } from "./archive_part.ts";

const BLOCK = 512;
/** `magic` and `version` of a POSIX ustar header. */
const USTAR_MAGIC = new TextEncoder().encode("ustar\x0000");
/** The largest size the 12-byte octal field holds (8 GiB - 1). */
const MAX_OCTAL_SIZE = 0o77777777777;
const encoder = new TextEncoder();

/** Zero bytes that pad `size` bytes of content to a whole block. */
export function tarPadding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The end of an archive: two zero blocks. */
export const TAR_END_LENGTH = 2 * BLOCK;

/**
 * The header blocks of one entry: a pax extended header first when the name
 * does not fit ustar's 100 + 155 bytes or the size its 8 GiB, then the
 * ustar header. The content (and `tarPadding`) follows for files.
 */
export function tarHeader(entry: ArchiveEntry): Uint8Array<ArrayBuffer> {
  const { name, split, pax } = describe(entry);
  const ustar = ustarHeader(entry, split ?? fallbackName(name));
  if (pax === null) return ustar;
  const paxHeader = ustarHeader(
    { name: "", isDirectory: false, size: pax.length, mtime: entry.mtime },
    { prefix: new Uint8Array(0), name: encoder.encode("././@PaxHeader") },
    "x",
  );
  const out = new Uint8Array(BLOCK + pax.length + tarPadding(pax.length) + BLOCK);
  out.set(paxHeader, 0);
  out.set(pax, BLOCK);
  out.set(ustar, out.length - BLOCK);
  return out;
}

/** Length of `tarHeader(entry)`. */
export function tarHeaderLength(entry: ArchiveEntry): number {
  const { pax } = describe(entry);
  return pax === null ? BLOCK : 2 * BLOCK + pax.length + tarPadding(pax.length);
}

/** The entry's name in the archive, its ustar split, and pax records if needed. */
function describe(entry: ArchiveEntry) {
  const name = entry.isDirectory ? entry.name + "/" : entry.name;
  const split = splitName(encoder.encode(name));
  const records: string[] = [];
  if (split === null) records.push(paxRecord("path", name));
  if (entry.size > MAX_OCTAL_SIZE) records.push(paxRecord("size", String(entry.size)));
  const pax = records.length === 0 ? null : encoder.encode(records.join(""));
  return { name, split, pax };
}

/** Exact length of the whole archive. */
export function tarLength(entries: readonly ArchiveEntry[]): number {
  let total = TAR_END_LENGTH;
  for (const entry of entries) {
    total += tarHeaderLength(entry) + entry.size + tarPadding(entry.size);
  }
  return total;
}

/**
 * The archive of `entries` as parts, in order: per entry its header blocks,
 * its bytes and their padding, then the two end blocks. Their lengths add
 * up to `tarLength(entries)`.
 */
export function* tarParts(entries: readonly ArchiveEntry[]): Generator<ArchivePart> {
  for (const [i, entry] of entries.entries()) {
    yield { type: "framing", length: tarHeaderLength(entry), render: () => tarHeader(entry) };
    if (entry.isDirectory) continue;
    yield { type: "content", length: entry.size, entry: i, checksummed: false };
    const padding = tarPadding(entry.size);
    yield { type: "framing", length: padding, render: () => new Uint8Array(padding) };
  }
  yield { type: "framing", length: TAR_END_LENGTH, render: () => new Uint8Array(TAR_END_LENGTH) };
}

interface SplitName {
  prefix: Uint8Array;
  name: Uint8Array;
}

/** Splits a UTF-8 name into ustar's prefix (155) and name (100) at a `/`. */
function splitName(bytes: Uint8Array): SplitName | null {
  if (bytes.length <= 100) return { prefix: new Uint8Array(0), name: bytes };
  // The name part must fit in 100 bytes (and not be empty), the prefix in 155.
  for (let i = bytes.length - 2; i > 0 && bytes.length - i - 1 <= 100; i--) {
    if (bytes[i] === 0x2f && i <= 155) {
      return { prefix: bytes.subarray(0, i), name: bytes.subarray(i + 1) };
    }
  }
  return null;
}

/** The ustar name field when a pax `path` carries the real name. */
function fallbackName(name: string): SplitName {
  const bytes = encoder.encode(name.replace(/[^\x20-\x7e]/g, "_"));
  return { prefix: new Uint8Array(0), name: bytes.subarray(Math.max(0, bytes.length - 100)) };
}

/** One `"<length> key=value\n"` record; the length counts itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + 1;
  while (String(length).length + bodyLength !== length) length++;
  return String(length) + body;
}

function ustarHeader(
  entry: ArchiveEntry,
  split: SplitName,
  type?: string,
): Uint8Array<ArrayBuffer> {
  const header = new Uint8Array(BLOCK);
  header.set(split.name, 0);
  writeOctal(header, 100, 8, archiveMode(entry));
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  const size = entry.isDirectory ? 0 : entry.size;
  if (size <= MAX_OCTAL_SIZE) writeOctal(header, 124, 12, size);
  else writeBase256(header, 124, 12, size);
  writeOctal(header, 136, 12, Math.max(0, Math.floor(entry.mtime / 1000)));
  header.fill(0x20, 148, 156);
  header[156] = (type ?? (entry.isDirectory ? "5" : "0")).charCodeAt(0);
  header.set(USTAR_MAGIC, 257);
  header.set(split.prefix, 345);
  let sum = 0;
  for (const byte of header) sum += byte;
  writeOctal(header, 148, 7, sum);
  return header;
}

/** Zero-padded octal digits and a NUL terminator in `width` bytes (ASCII, no encoder). */
function writeOctal(header: Uint8Array, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, "0");
  for (let i = 0; i < digits.length; i++) header[offset + i] = digits.charCodeAt(i);
  header[offset + width - 1] = 0;
}

/** GNU's base-256 form for numbers too large for octal (high bit set). */
function writeBase256(header: Uint8Array, offset: number, width: number, value: number): void {
  let rest = BigInt(value);
  for (let i = offset + width - 1; i > offset; i--) {
    header[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  header[offset] = 0x80;
}
