import { crc32 } from "node:zlib";
import type { ArchiveEntry } from "../archive/archive_entry.ts";
import { TAR_END_LENGTH, tarHeader, tarPadding } from "../archive/tar_format.ts";
import { gatherChunks } from "./gather_chunks.ts";
import {
  zipCentralHeader,
  zipDataDescriptor,
  zipEnd,
  type ZipLayout,
  zipLocalHeader,
} from "../archive/zip_format.ts";

/** An archive entry and where its bytes are. */
export interface ArchiveSource extends ArchiveEntry {
  /** Absolute real path (unused for folders). */
  path: string;
  /** The inode the walk saw: the file opened later must be the same one. */
  ino?: number | null;
}

/**
 * Reads an entry's file, or answers `null` when it is no longer the regular
 * file the walk saw (`FileStore.openSame` and `FileStore.readSame`).
 */
export interface ArchiveFiles {
  /** Opens a large file for reading; the stream closes it. */
  open(source: ArchiveSource): Promise<Deno.FsFile | null>;
  /** Reads up to `source.size` bytes of a small file at once (fewer: it shrank). */
  read(source: ArchiveSource): Uint8Array | null;
}

/**
 * Thrown into the stream when a file is no longer what the archive
 * announced: it shrank, was removed, or was replaced (by another file, a
 * symlink that could lead outside ROOT, or a FIFO).
 */
export class FileChanged extends Error {
  constructor(name: string, how: "shrank" | "was removed or replaced" | "could not be read") {
    super(`${name} ${how} while being archived`);
  }
}

/** Bytes read from a file per chunk, and the size small parts are gathered to. */
const CHUNK = 256 * 1024;
const GATHER = 64 * 1024;

/**
 * A tar archive of `entries` as a pull-based stream of exactly
 * `tarLength(entries)` bytes: one file open at a time, one chunk read per
 * pull, so a paused client holds one chunk. A file that grew is cut at its
 * announced size; one that shrank errors the stream (the client sees a
 * short body, never wrong bytes under a right length).
 */
export function tarStream(entries: readonly ArchiveSource[], files: ArchiveFiles): ReadableStream {
  async function* parts(): AsyncGenerator<Uint8Array> {
    for (const entry of entries) {
      yield tarHeader(entry);
      if (entry.isDirectory) continue;
      yield* fileChunks(entry, files);
      const padding = tarPadding(entry.size);
      if (padding > 0) yield new Uint8Array(padding);
    }
    yield new Uint8Array(TAR_END_LENGTH);
  }
  return ReadableStream.from(gatherChunks(parts(), GATHER));
}

/**
 * A stored (uncompressed) ZIP archive laid out by `zipLayout`, as a
 * pull-based stream of exactly `layout.length` bytes, with the CRC-32 of
 * each file computed as its bytes go out. Same file rules as `tarStream`.
 */
export function zipStream(layout: ZipLayout<ArchiveSource>, files: ArchiveFiles): ReadableStream {
  async function* parts(): AsyncGenerator<Uint8Array> {
    const crcs: number[] = [];
    for (const item of layout.entries) {
      yield zipLocalHeader(item);
      if (item.entry.isDirectory) {
        crcs.push(0);
        continue;
      }
      let crc = 0;
      for await (const chunk of fileChunks(item.entry, files)) {
        crc = crc32(chunk, crc);
        yield chunk;
      }
      crcs.push(crc);
      yield zipDataDescriptor(item, crc);
    }
    for (const [i, item] of layout.entries.entries()) yield zipCentralHeader(item, crcs[i]);
    yield zipEnd(layout);
  }
  return ReadableStream.from(gatherChunks(parts(), GATHER));
}

/**
 * Exactly `source.size` bytes of a file, a chunk at a time; the file closes
 * in every case. It must still be the file the walk saw, so that a swap
 * during a long download cannot slip another file, or one outside ROOT,
 * into the archive.
 */
async function* fileChunks(
  source: ArchiveSource,
  files: ArchiveFiles,
): AsyncGenerator<Uint8Array> {
  if (source.size === 0) return;
  // Small files in one synchronous read: a thread-pool round trip for each
  // of lstat, open, fstat and read made 90,000 small files take 20 s.
  if (source.size <= CHUNK) {
    let bytes;
    try {
      bytes = files.read(source);
    } catch (error) {
      throw unreadable(source, error);
    }
    if (bytes === null) throw new FileChanged(source.name, "was removed or replaced");
    if (bytes.length < source.size) throw new FileChanged(source.name, "shrank");
    yield bytes;
    return;
  }
  let opened;
  try {
    opened = await files.open(source);
  } catch (error) {
    throw unreadable(source, error);
  }
  if (opened === null) throw new FileChanged(source.name, "was removed or replaced");
  using file = opened;
  let left = source.size;
  while (left > 0) {
    const buffer = new Uint8Array(Math.min(CHUNK, left));
    let filled = 0;
    while (filled < buffer.length) {
      const n = await file.read(buffer.subarray(filled));
      if (n === null) throw new FileChanged(source.name, "shrank");
      filled += n;
    }
    left -= filled;
    yield buffer;
  }
}

/** A permission error as `FileChanged` (the body ends short, one log line); others as they are. */
function unreadable(source: ArchiveSource, error: unknown): unknown {
  return error instanceof Deno.errors.PermissionDenied
    ? new FileChanged(source.name, "could not be read")
    : error;
}
