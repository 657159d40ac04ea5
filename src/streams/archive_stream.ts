import { crc32 } from "node:zlib";
import type { ArchiveEntry } from "../archive/archive_entry.ts";
import { type ArchivePart, sliceParts } from "../archive/archive_part.ts";
import { CrcCache } from "../archive/crc_cache.ts";
import { tarLength, tarParts } from "../archive/tar_format.ts";
import { type ZipLayout, zipParts } from "../archive/zip_format.ts";
import type { ByteRange } from "../http/range.ts";
import { gatherChunks } from "./gather_chunks.ts";

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
 * `tarLength(entries)` bytes, or of the bytes of `range` in it (read
 * straight from the files it covers): one file open at a time, one chunk
 * read per pull, so a paused client holds one chunk. A file that grew is
 * cut at its announced size; one that shrank errors the stream (the client
 * sees a short body, never wrong bytes under a right length).
 */
export function tarStream(
  entries: readonly ArchiveSource[],
  files: ArchiveFiles,
  range: ByteRange = { start: 0, end: tarLength(entries) - 1 },
): ReadableStream {
  return archiveStream(tarParts(entries), (i) => entries[i], files, range, new CrcCache(0));
}

/** Options of `zipStream`. */
export interface ZipStreamOptions {
  /** The bytes of the archive to send (default: all of it). */
  range?: ByteRange;
  /** CRC-32s known from earlier downloads, and where this one records its own. */
  crcs?: CrcCache;
}

/**
 * A stored (uncompressed) ZIP archive laid out by `zipLayout`, as a
 * pull-based stream of exactly `layout.length` bytes, or of the bytes of
 * `options.range` in it, with the CRC-32 of each file computed as its bytes
 * go out. A range that needs the CRC-32 of a file it does not cover in full
 * (a data descriptor after a cut, the central directory) takes it from
 * `options.crcs` where an earlier download recorded it, or else reads that
 * file (or the part of it not yet checksummed) first. Same file rules as
 * `tarStream`.
 */
export function zipStream(
  layout: ZipLayout<ArchiveSource>,
  files: ArchiveFiles,
  options: ZipStreamOptions = {},
): ReadableStream {
  const range = options.range ?? { start: 0, end: layout.length - 1 };
  const sourceOf = (i: number) => layout.entries[i].entry;
  return archiveStream(zipParts(layout), sourceOf, files, range, options.crcs ?? new CrcCache());
}

/** The bytes of `range` of the archive made of `parts`, as a pull-based stream. */
function archiveStream(
  parts: Iterable<ArchivePart>,
  sourceOf: (entry: number) => ArchiveSource,
  files: ArchiveFiles,
  range: ByteRange,
  crcs: CrcCache,
): ReadableStream {
  // CRC-32s this response computed or looked up: the cache may drop them.
  const known = new Map<number, number>();
  // Reading a file only for its CRC-32 sends nothing for a while: a client
  // that leaves meanwhile must stop the reading, not wait for the next chunk.
  const left = new AbortController();
  const read = (source: ArchiveSource, start: number, end: number) =>
    fileChunks(source, files, start, end, left.signal);

  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (const { part, offset, from, to } of sliceParts(parts, range)) {
      if (part.type === "framing") {
        yield part.render().subarray(from, to);
      } else if (part.type === "checksum") {
        yield part.render(await checksum(part.entry)).subarray(from, to);
      } else if (part.checksummed) {
        yield* checksummedContent(part.entry, from, to, range.end >= offset + part.length);
      } else {
        yield* read(sourceOf(part.entry), from, to);
      }
    }
  }

  /**
   * Bytes `from` to `to` of an entry's file, extending its CRC-32 on the
   * way from where `crcs` left off. The bytes before `from` that no earlier
   * download checksummed are read (not sent) only when this response needs
   * the CRC-32 (`needed`: its descriptor is in the range). A whole file is
   * always checksummed from its bytes.
   */
  async function* checksummedContent(
    entry: number,
    from: number,
    to: number,
    needed: boolean,
  ): AsyncGenerator<Uint8Array> {
    const source = sourceOf(entry);
    let progress = (from > 0 ? crcs.get(source) : undefined) ?? { offset: 0, crc: 0 };
    if (progress.offset < from && !needed) {
      yield* read(source, from, to);
      return;
    }
    let at = Math.min(from, progress.offset);
    for await (const chunk of read(source, at, to)) {
      const end = at + chunk.length;
      if (end > progress.offset) {
        progress = { offset: end, crc: crc32(chunk.subarray(progress.offset - at), progress.crc) };
        crcs.set(source, progress);
      }
      if (end > from) yield chunk.subarray(Math.max(0, from - at));
      at = end;
    }
    if (progress.offset === source.size) known.set(entry, progress.crc);
  }

  /** An entry's CRC-32: known, recorded by an earlier download, or read now. */
  async function checksum(entry: number): Promise<number> {
    const done = known.get(entry);
    if (done !== undefined) return done;
    const source = sourceOf(entry);
    if (source.isDirectory || source.size === 0) return 0;
    let progress = crcs.get(source) ?? { offset: 0, crc: 0 };
    for await (const chunk of read(source, progress.offset, source.size)) {
      progress = { offset: progress.offset + chunk.length, crc: crc32(chunk, progress.crc) };
      crcs.set(source, progress);
    }
    known.set(entry, progress.crc);
    return progress.crc;
  }

  const gathered = gatherChunks(chunks(), GATHER);
  // As ReadableStream.from, plus the abort on cancel.
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await gathered.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      left.abort(reason);
      await gathered.return(undefined);
    },
  }, { highWaterMark: 0 });
}

/**
 * Bytes `start` to `end` (exclusive) of a file of `source.size` bytes, a
 * chunk at a time; the file closes in every case, and reading stops when
 * `signal` aborts. It must still be the file the walk saw, so that a swap
 * during a long download cannot slip another file, or one outside ROOT,
 * into the archive.
 */
async function* fileChunks(
  source: ArchiveSource,
  files: ArchiveFiles,
  start: number,
  end: number,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (start >= end) return;
  signal.throwIfAborted();
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
    yield bytes.subarray(start, end);
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
  if (start > 0) await file.seek(start, Deno.SeekMode.Start);
  let left = end - start;
  while (left > 0) {
    signal.throwIfAborted();
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
