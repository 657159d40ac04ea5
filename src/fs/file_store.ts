import { dirname, join, relative } from "node:path";
import { isHiddenName } from "../path/decode_path.ts";
import { contained } from "../path/contained.ts";
import { errorCode } from "./error_code.ts";
import { FileCache } from "./file_cache.ts";

/** What the server knows about a file or directory under ROOT. */
export interface FileInfo {
  /** Absolute real path (symlinks resolved). */
  path: string;
  isDirectory: boolean;
  /** A regular file (not a directory, FIFO, socket or device). */
  isFile: boolean;
  size: number;
  /** Modification time in epoch milliseconds. */
  mtime: number;
  ino: number | null;
}

/** One listing row. */
export interface DirEntry {
  name: string;
  isDirectory: boolean;
  size: number;
  mtime: number;
}

/** One entry of a folder tree (`FileStore.walk`). */
export interface TreeEntry {
  /** Path inside the walked folder, `/`-separated, without a leading `/`. */
  name: string;
  /** Absolute real path. */
  path: string;
  isDirectory: boolean;
  /** 0 for directories. */
  size: number;
  /** Modification time in epoch milliseconds. */
  mtime: number;
  /** Inode number when the walk saw it (`null` where the OS has none). */
  ino: number | null;
  /** Whether anyone may execute it (kept in archives as 755 instead of 644). */
  executable: boolean;
}

/** Entries a listing or walk handles before letting other requests run. */
const YIELD_EVERY = 500;

/**
 * A pace-keeper for long synchronous loops: every `YIELD_EVERY` calls it
 * waits one timer turn, so other requests run; it throws once `signal`
 * aborts.
 */
function pacer(signal?: AbortSignal): () => Promise<void> {
  let count = 0;
  return async () => {
    signal?.throwIfAborted();
    if (++count % YIELD_EVERY === 0) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      signal?.throwIfAborted();
    }
  };
}

/** Most entries a folder download or search walks: bounds its time and memory. */
export const MAX_TREE_ENTRIES = 100_000;

/** Thrown by `FileStore.walk` when a tree has more entries than allowed. */
export class TooManyEntries extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} entries`);
  }
}

/** The `FileInfo` of a real path from its `Deno.FileInfo`. */
export function toFileInfo(path: string, stat: Deno.FileInfo): FileInfo {
  return {
    path,
    isDirectory: stat.isDirectory,
    isFile: stat.isFile,
    size: stat.size,
    mtime: stat.mtime?.getTime() ?? 0,
    ino: stat.ino,
  };
}

/** Errors that mean "there is nothing servable at this path". */
function isMissing(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory ||
    error instanceof Deno.errors.FilesystemLoop ||
    errorCode(error) === "ENAMETOOLONG" || errorCode(error) === "ELOOP";
}

/**
 * The one port to storage. Every path it hands out is a real path inside
 * ROOT: a symlink that leads outside reads as missing.
 *
 * Metadata calls are synchronous on purpose: for page-cached metadata they
 * are several times faster than Deno's thread-pool round trip (see
 * docs/perf-notes.md), and they are bounded. Small, bounded reads are
 * synchronous too; everything else streams asynchronously.
 */
export class FileStore {
  /** Absolute real path of ROOT. */
  readonly root: string;
  /**
   * Files by URL path, small ones with their bytes. Entries must be checked
   * against a fresh stat before use (unless `--watch`); writers and the
   * change feed clear it.
   */
  readonly cache: FileCache = new FileCache();

  constructor(root: string) {
    this.root = Deno.realPathSync(root);
  }

  /**
   * Stats `segments` under ROOT, or `null` when missing or outside ROOT. A
   * name not found as given is looked up in its other Unicode normal form
   * (NFC or NFD) too.
   */
  stat(segments: readonly string[]): FileInfo | null {
    const found = this.#statExact(segments);
    // macOS clients send names decomposed (NFD), Linux and Windows ones
    // composed (NFC): a miss with non-ASCII names tries the other form.
    // Canonical forms never add or remove `.` or `/`, so the rules hold.
    // deno-lint-ignore no-control-regex
    if (found !== null || segments.every((segment) => /^[\x00-\x7f]*$/.test(segment))) return found;
    for (const form of ["NFC", "NFD"] as const) {
      const other = segments.map((segment) => segment.normalize(form));
      if (other.some((segment, i) => segment !== segments[i])) {
        const alternative = this.#statExact(other);
        if (alternative !== null) return alternative;
      }
    }
    return null;
  }

  #statExact(segments: readonly string[]): FileInfo | null {
    try {
      const real = Deno.realPathSync(join(this.root, ...segments));
      if (!contained(this.root, real)) return null;
      return toFileInfo(real, Deno.statSync(real));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** Re-stats a real path from an earlier `stat`, or `null` when gone. */
  restat(path: string): FileInfo | null {
    try {
      return toFileInfo(path, Deno.statSync(path));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** Opens a file for reading; the caller (a stream) owns the handle. */
  open(path: string): Promise<Deno.FsFile> {
    return Deno.open(path, { read: true });
  }

  /**
   * Opens the regular file at `path` only if it is still the one with inode
   * `ino` (any, when `null`); else `null` (removed, replaced, or now a
   * symlink or FIFO). Checked without following links before opening, since
   * opening a FIFO blocks, and by inode after. For reads long after a walk.
   */
  async openSame(path: string, ino: number | null): Promise<Deno.FsFile | null> {
    let file: Deno.FsFile;
    try {
      if (!(await Deno.lstat(path)).isFile) return null;
      file = await this.open(path);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      const stat = await file.stat();
      if (stat.isFile && (ino === null || stat.ino === ino)) return file;
    } catch (error) {
      file.close();
      throw error;
    }
    file.close();
    return null;
  }

  /**
   * Reads up to `size` bytes of the regular file at `path`, synchronously,
   * only if it is still the one with inode `ino` (as `openSame`); fewer
   * bytes when it shrank. For small files only (the caller bounds `size`).
   */
  readSame(path: string, ino: number | null, size: number): Uint8Array<ArrayBuffer> | null {
    let file: Deno.FsFile;
    try {
      if (!Deno.lstatSync(path).isFile) return null;
      file = Deno.openSync(path, { read: true });
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    using _ = file;
    const stat = file.statSync();
    if (!stat.isFile || (ino !== null && stat.ino !== ino)) return null;
    const bytes = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const n = file.readSync(bytes.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return bytes.subarray(0, filled);
  }

  /**
   * Opens a file for reading from byte `start` on; the caller owns the
   * handle. Its `readable` then streams from `start` to the end of the file.
   */
  async openAt(path: string, start: number): Promise<Deno.FsFile> {
    const file = await this.open(path);
    try {
      await file.seek(start, Deno.SeekMode.Start);
      return file;
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Reads a small file whole. */
  readSmall(path: string): Uint8Array<ArrayBuffer> {
    return Deno.readFileSync(path);
  }

  /**
   * Reads the inclusive byte range `start..end` of a file at once, with
   * synchronous calls: for small ranges only (the caller bounds the length),
   * where a thread-pool round trip per open, seek and read costs more than
   * the read itself. The handle is closed before this returns.
   *
   * @throws {RangeError} when the file ends before `end` (it shrank).
   */
  readRangeSync(path: string, start: number, end: number): Uint8Array<ArrayBuffer> {
    using file = Deno.openSync(path, { read: true });
    file.seekSync(start, Deno.SeekMode.Start);
    const bytes = new Uint8Array(end - start + 1);
    let filled = 0;
    while (filled < bytes.length) {
      const n = file.readSync(bytes.subarray(filled));
      if (n === null) throw new RangeError("File ended before the requested range");
      filled += n;
    }
    return bytes;
  }

  /**
   * Lists a directory. Entries whose symlinks are broken or lead outside
   * ROOT are left out, and so is anything that is neither a regular file
   * nor a directory (FIFOs, sockets, devices), and names with a backslash;
   * dot-entries are left out unless `dotfiles`.
   */
  list(dir: string, dotfiles: boolean): Promise<DirEntry[]> {
    return this.#entries(dir, dotfiles, "", pacer());
  }

  /**
   * The entries of a directory with the rules of `list`, read and stat'ed
   * one at a time as the caller asks for the next: a consumer that streams
   * (a WebDAV PROPFIND) holds one entry, not the folder. Deno's async
   * `readDir` reads lazily, where `readDirSync` holds every name at once
   * (40 MB for 100,000 entries). Unsorted. The first read happens here, so
   * an unreadable folder throws before any byte of an answer is sent. The
   * folder stays open until the end or `return()`, which the caller must
   * call when it stops early (even before its first `next()`).
   */
  async entries(dir: string, dotfiles: boolean): Promise<AsyncIterableIterator<TreeEntry>> {
    const names = Deno.readDir(dir)[Symbol.asyncIterator]();
    let pending: IteratorResult<Deno.DirEntry> | null = await names.next();
    const entry = (item: Deno.DirEntry) => this.#treeEntry(dir, item, "");
    const done = { done: true, value: undefined } as const;
    const iterator: AsyncIterableIterator<TreeEntry> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        while (true) {
          const next = pending ?? await names.next();
          pending = null;
          if (next.done) return done;
          if (isHiddenName(next.value.name, dotfiles) || next.value.name.includes("\\")) continue;
          const found = entry(next.value);
          if (found !== null) return { done: false, value: found };
        }
      },
      async return() {
        await names.return?.();
        return done;
      },
    };
    return iterator;
  }

  /**
   * The servable entries of the real directory `dir` (the rules of `list`),
   * named `prefix` + name. Metadata calls are synchronous, as elsewhere here:
   * a thread-pool round trip per entry made 5,000 entries take 0.3 s and
   * 100,000 ten seconds. `pace` lets other requests run in between.
   */
  async #entries(
    dir: string,
    dotfiles: boolean,
    prefix: string,
    pace: () => Promise<void>,
  ): Promise<TreeEntry[]> {
    const found: TreeEntry[] = [];
    for (const entry of Deno.readDirSync(dir)) {
      if (isHiddenName(entry.name, dotfiles)) continue;
      // A URL cannot name it (`%5c` answers 400), and archive tools read it as a separator.
      if (entry.name.includes("\\")) continue;
      await pace();
      const item = this.#treeEntry(dir, entry, prefix);
      if (item !== null) found.push(item);
    }
    return found;
  }

  /**
   * Every file and folder under the real directory `dir`, depth first and
   * sorted by name, with the rules of `list`: broken symlinks, symlinks
   * leading outside ROOT, special files, names with a backslash and (unless
   * `dotfiles`) dot-entries are left out. A symlink to `dir` or to any folder
   * between it and ROOT is not followed (no cycles).
   *
   * Metadata calls are synchronous (see `#entries`); the walk lets other
   * requests run every `YIELD_EVERY` entries and stops when `signal` aborts
   * (the client left).
   *
   * @throws {TooManyEntries} past `limit` entries, so a huge tree costs
   * bounded memory and time; `signal.reason` once it aborts.
   */
  async walk(
    dir: string,
    dotfiles: boolean,
    limit: number,
    signal?: AbortSignal,
  ): Promise<TreeEntry[]> {
    const found: TreeEntry[] = [];
    const pace = pacer(signal);
    const visit = async (path: string, prefix: string, ancestors: Set<string>) => {
      let entries: TreeEntry[];
      try {
        entries = await this.#entries(path, dotfiles, prefix, pace);
      } catch (error) {
        // A folder below that cannot be read is kept, empty, as a listing of
        // it would answer 403; the walked folder itself must be readable.
        if (prefix === "" || !(error instanceof Deno.errors.PermissionDenied)) throw error;
        return;
      }
      entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      for (const item of entries) {
        if (item.isDirectory && ancestors.has(item.path)) continue;
        if (found.length === limit) throw new TooManyEntries(limit);
        found.push(item);
        if (item.isDirectory) {
          await visit(item.path, item.name + "/", new Set(ancestors).add(item.path));
        }
      }
    };
    await visit(dir, "", this.#lineage(dir));
    return found;
  }

  /** `dir` and every folder above it up to ROOT (real paths). */
  #lineage(dir: string): Set<string> {
    const lineage = new Set([dir]);
    for (let path = dir; path !== this.root && contained(this.root, path);) {
      path = dirname(path);
      lineage.add(path);
    }
    return lineage;
  }

  /** One walked entry, or `null` when it is not servable (see `walk`). */
  #treeEntry(dir: string, entry: Deno.DirEntry, prefix: string): TreeEntry | null {
    let path = join(dir, entry.name);
    try {
      if (entry.isSymlink) {
        path = Deno.realPathSync(path);
        if (!contained(this.root, path)) return null;
      }
      const stat = Deno.statSync(path);
      if (!stat.isFile && !stat.isDirectory) return null;
      return {
        name: prefix + entry.name,
        path,
        isDirectory: stat.isDirectory,
        size: stat.isDirectory ? 0 : stat.size,
        mtime: stat.mtime?.getTime() ?? 0,
        ino: stat.ino,
        executable: ((stat.mode ?? 0) & 0o111) !== 0,
      };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** The path of `path` relative to ROOT, with `/` separators. */
  relative(path: string): string {
    return relative(this.root, path).split("\\").join("/");
  }
}
