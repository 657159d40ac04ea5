import { syncDirectory } from "./sync_directory.ts";
import type { PageCache } from "./page_cache.ts";
import { Writeback, WRITEBACK_STEP } from "./writeback.ts";
import { join } from "node:path";
import { HttpError } from "../http/http_error.ts";
import { contained } from "../path/contained.ts";
import { errorCode } from "./error_code.ts";
import { isHiddenName, TEMP_PREFIX } from "../path/decode_path.ts";
import { type FileInfo, toFileInfo } from "./file_store.ts";
import { BatchedWriter } from "./batched_writer.ts";

/** Where a write or delete lands, resolved against ROOT before any change. */
export interface WriteTarget {
  /** Absolute path of the entry: its parents resolved, the entry itself not. */
  path: string;
  /** Real path of the deepest parent directory that exists. */
  base: string;
  /** Parent directories under `base` that do not exist yet, outermost first. */
  missing: string[];
  /** What a read would see at this path now (symlinks followed), or `null`. */
  existing: FileInfo | null;
  /** Whether the entry itself is a symbolic link. */
  isSymlink: boolean;
  /** Whether the target is ROOT itself. */
  isRoot: boolean;
}

/** The outcome of a committed write. */
export interface WriteResult {
  /** `true` when nothing existed at the path before. */
  created: boolean;
  /** The stored file, as a read would now see it. */
  info: FileInfo;
}

/**
 * Runs synchronously right before the rename, with what exists at the path
 * at that moment; throws (an `HttpError`) to abandon the write. Because the
 * check and the rename run without yielding, no other write in this process
 * can slip in between.
 */
export type CommitGuard = (current: FileInfo | null) => void;

/** The request body failed while being read (client abort, bad framing). */
export class SourceError extends Error {
  override name = "SourceError";
  constructor(cause: unknown) {
    super("The upload body could not be read", { cause });
  }
}

function lstatOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** What the writer needs from the temporary file it streams into. */
export type TempFile = Pick<Deno.FsFile, "write" | "sync" | "syncData" | "stat" | "close">;

function createTemp(path: string): Promise<Deno.FsFile> {
  return Deno.open(path, { write: true, createNew: true, mode: 0o644 });
}

/**
 * The write side of the storage port. Uploads stream into a temporary
 * dot-file next to the target, are flushed with `fsync` and renamed over the
 * target, so readers see the old file or the new one, never a torn one. Every
 * failure removes the temporary file (and any parent it created) and leaves
 * the old file untouched. Nothing is buffered beyond one chunk.
 *
 * Containment: parents are resolved one by one; a symlinked parent must lead
 * to a directory inside ROOT, otherwise the write is refused (409).
 */
export class FileWriter {
  /** Absolute real path of ROOT. */
  readonly root: string;

  readonly #openTemp: (path: string) => Promise<TempFile>;
  readonly #temps: Set<string>;
  readonly #pageCache: PageCache | null;

  /**
   * `root` must already be a real path, such as `FileStore.root`.
   * `openTemp` creates the temporary file (tests inject failing disks);
   * `temps` lists temp files while their upload runs (`ServerState.temps`);
   * with `pageCache`, uploads are flushed as they stream and what is on
   * disk is dropped from the page cache (`--drop-upload-cache`).
   */
  constructor(
    root: string,
    options: {
      openTemp?: (path: string) => Promise<TempFile>;
      temps?: Set<string>;
      pageCache?: PageCache | null;
    } = {},
  ) {
    this.root = root;
    this.#openTemp = options.openTemp ?? createTemp;
    this.#temps = options.temps ?? new Set();
    this.#pageCache = options.pageCache ?? null;
  }

  /**
   * Resolves `segments` (already decoded and validated) to a target.
   *
   * @throws {HttpError} 409 when a parent is a file, or a symlink that is
   * broken or leads outside ROOT.
   */
  locate(segments: readonly string[]): WriteTarget {
    if (segments.length === 0) {
      return {
        path: this.root,
        base: this.root,
        missing: [],
        existing: toFileInfo(this.root, Deno.statSync(this.root)),
        isSymlink: false,
        isRoot: true,
      };
    }
    let dir = this.root;
    let missing: string[] = [];
    const parents = segments.slice(0, -1);
    for (let i = 0; i < parents.length; i++) {
      const next = join(dir, parents[i]);
      let stat = lstatOrNull(next);
      if (stat === null) {
        missing = parents.slice(i);
        break;
      }
      let real = next;
      if (stat.isSymlink) {
        const inside = this.#realInside(next);
        if (inside === null) {
          throw new HttpError(409, "A parent is a link that leads nowhere inside ROOT");
        }
        real = inside;
        stat = Deno.statSync(real);
      }
      if (!stat.isDirectory) throw new HttpError(409, "A parent is not a folder");
      dir = real;
    }
    const path = join(dir, ...missing, segments[segments.length - 1]);
    const own = missing.length > 0 ? null : lstatOrNull(path);
    let existing: FileInfo | null = null;
    if (own !== null && !own.isSymlink) existing = toFileInfo(path, own);
    if (own?.isSymlink) {
      const real = this.#realInside(path);
      if (real !== null) existing = toFileInfo(real, Deno.statSync(real));
    }
    return {
      path,
      base: dir,
      missing,
      existing,
      isSymlink: own?.isSymlink ?? false,
      isRoot: false,
    };
  }

  /**
   * Streams `source` into a temporary file beside the target, `fsync`s it,
   * then — synchronously — calls `guard` with what exists at the path now
   * and renames the temporary file over the target. `written` is called
   * with each chunk once its bytes are on their way to disk, so the caller
   * may reuse its memory.
   *
   * @throws {SourceError} when reading `source` fails (an `HttpError` from
   * the source, such as a size limit, passes through unchanged).
   * @throws {HttpError} 409 when the target became a folder, or whatever
   * `guard` throws; file-system errors pass through.
   */
  async write(
    target: WriteTarget,
    source: ReadableStream<Uint8Array>,
    guard: CommitGuard,
    written: (chunk: Uint8Array) => void = () => {},
  ): Promise<WriteResult> {
    const dir = join(target.base, ...target.missing);
    const temp = join(dir, `${TEMP_PREFIX}${crypto.randomUUID()}`);
    const reader = source.getReader();
    let created: string[] = [];
    let file: TempFile | null = null;
    let batch: BatchedWriter | null = null;
    let writeback: Writeback | null = null;
    let drained = false;
    let committed = false;
    this.#temps.add(temp);
    try {
      created = this.#makeParents(target);
      const opened = file = await this.#openTemp(temp);
      if (this.#pageCache !== null) {
        writeback = new Writeback(() => opened.syncData(), {
          path: temp,
          start: 0,
          step: WRITEBACK_STEP,
          pageCache: this.#pageCache,
        });
      }
      batch = new BatchedWriter(file, (bytes) => writeback?.wrote(bytes));
      while (true) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          drained = true;
          throw error instanceof HttpError ? error : new SourceError(error);
        }
        if (next.done) break;
        await batch.write(next.value);
        written(next.value);
      }
      drained = true;
      await batch.flush();
      // Data first (dropped from the page cache with a writeback), then metadata.
      await writeback?.sync();
      await file.sync();
      const stat = await file.stat();
      file.close();
      file = null;

      const current = this.#current(target.path);
      if (current?.isDirectory) throw new HttpError(409, "Target is a folder");
      guard(current);
      Deno.renameSync(temp, target.path);
      committed = true;
      await syncDirectory(dir);
      return { created: current === null, info: toFileInfo(target.path, stat) };
    } finally {
      if (!drained) await reader.cancel().catch(() => {});
      reader.releaseLock();
      await writeback?.settled().catch(() => {});
      batch?.release();
      if (file !== null) file.close();
      if (!committed) {
        removeQuietly(temp);
        for (const path of created.reverse()) removeQuietly(path);
      }
      this.#temps.delete(temp);
    }
  }

  /**
   * Creates the folder at `target` and any missing parents.
   *
   * @returns `false` when it already existed.
   * @throws {HttpError} 409 when a file is in the way.
   */
  mkdir(target: WriteTarget): boolean {
    if (target.existing !== null || target.isSymlink) {
      if (target.existing?.isDirectory) return false;
      throw new HttpError(409, "A file is in the way");
    }
    this.#makeParents(target);
    try {
      Deno.mkdirSync(target.path);
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      if (Deno.lstatSync(target.path).isDirectory) return false;
      throw new HttpError(409, "A file is in the way");
    }
    return true;
  }

  /**
   * Deletes the entry at `target`: a file or link, an empty folder, or a
   * folder with everything in it when `recursive` — but never entries the
   * client cannot see: a folder holding hidden ones (dot-entries unless
   * `dotfiles`, and a running upload's temp file always) is refused.
   *
   * @throws {HttpError} 404 when missing, 403 for ROOT, 409 for a non-empty
   * folder without `recursive` or one that holds hidden entries.
   */
  async remove(target: WriteTarget, recursive: boolean, dotfiles: boolean): Promise<void> {
    if (target.isRoot) throw new HttpError(403, "ROOT cannot be deleted");
    if (target.existing === null) throw new HttpError(404, "Not found");
    if (target.isSymlink || !target.existing.isDirectory) {
      await Deno.remove(target.path);
      return;
    }
    if (recursive && await holdsHidden(target.path, dotfiles)) {
      throw new HttpError(409, "Folder holds hidden entries, which are not deleted from here");
    }
    try {
      await Deno.remove(target.path, { recursive });
    } catch (error) {
      if (errorCode(error) === "ENOTEMPTY") {
        throw new HttpError(409, "Folder is not empty");
      }
      throw error;
    }
  }

  /**
   * Renames the entry at `from` (a file, a folder, or a link itself) to `to`,
   * creating `to`'s missing parents. A file at `to` is replaced only when
   * `overwrite`; a folder there never is. Atomic on one file system.
   *
   * @returns `true` when nothing was at `to` before.
   * @throws {HttpError} 404 when `from` is missing, 403 for ROOT, 412 when
   * `to` exists without `overwrite`, 409 when `to` is a folder, lies inside
   * `from`, or is on another file system.
   */
  async move(from: WriteTarget, to: WriteTarget, overwrite: boolean): Promise<boolean> {
    if (from.isRoot) throw new HttpError(403, "ROOT cannot be moved");
    if (from.existing === null && !from.isSymlink) throw new HttpError(404, "Not found");
    // Hard links to one file: rename(2) would succeed and change nothing.
    if (
      from.existing !== null && to.existing !== null && !from.isSymlink && !to.isSymlink &&
      from.existing.ino !== null && from.existing.ino === to.existing.ino
    ) {
      throw new HttpError(409, "Source and destination are the same file");
    }
    // An upload into the folder would lose its way (its temp file and target move).
    if (
      !from.isSymlink && from.existing?.isDirectory &&
      [...this.#temps].some((temp) => contained(from.path, temp))
    ) {
      throw new HttpError(409, "Folder has an upload in progress");
    }
    if (to.isRoot || to.path === from.path) {
      throw new HttpError(409, "Source and destination are the same");
    }
    if (!from.isSymlink && from.existing?.isDirectory && contained(from.path, to.base)) {
      throw new HttpError(409, "A folder cannot move into itself");
    }
    const exists = to.existing !== null || to.isSymlink;
    if (to.existing?.isDirectory && !to.isSymlink) {
      throw new HttpError(409, "Destination is a folder");
    }
    if (exists && !overwrite) {
      throw new HttpError(412, "Destination exists (send Overwrite: T to replace it)");
    }
    const created = this.#makeParents(to);
    try {
      await Deno.rename(from.path, to.path);
    } catch (error) {
      for (const path of created.reverse()) removeQuietly(path);
      const code = errorCode(error);
      if (code === "EXDEV") throw new HttpError(409, "Cannot move across file systems");
      if (code === "EISDIR" || code === "ENOTDIR" || code === "ENOTEMPTY") {
        throw new HttpError(409, "A file or folder is in the way");
      }
      throw error;
    }
    await syncDirectory(join(to.base, ...to.missing));
    return !exists;
  }

  /** The real path of a link when it leads inside ROOT, else `null`. */
  #realInside(path: string): string | null {
    try {
      const real = Deno.realPathSync(path);
      return contained(this.root, real) ? real : null;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  /** What is at `path` right now, following a link that stays inside ROOT. */
  #current(path: string): FileInfo | null {
    const own = lstatOrNull(path);
    if (own === null) return null;
    if (!own.isSymlink) return toFileInfo(path, own);
    const real = this.#realInside(path);
    return real === null ? null : toFileInfo(real, Deno.statSync(real));
  }

  /** Creates the missing parents; returns the ones this call created. */
  #makeParents(target: WriteTarget): string[] {
    const created: string[] = [];
    let dir = target.base;
    for (const name of target.missing) {
      dir = join(dir, name);
      try {
        Deno.mkdirSync(dir);
        created.push(dir);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        if (!Deno.lstatSync(dir).isDirectory) {
          for (const path of created.reverse()) removeQuietly(path);
          throw new HttpError(409, "A parent is not a folder");
        }
      }
    }
    return created;
  }
}

/** Whether a folder tree holds an entry hidden from clients (links are not followed). */
async function holdsHidden(dir: string, dotfiles: boolean): Promise<boolean> {
  for await (const entry of Deno.readDir(dir)) {
    if (isHiddenName(entry.name, dotfiles)) return true;
    if (entry.isDirectory && await holdsHidden(join(dir, entry.name), dotfiles)) return true;
  }
  return false;
}

/**
 * Removes the temp files of uploads that are still listed (a shutdown whose
 * grace ran out: the process exit would skip their own cleanup).
 */
export function removeTemps(temps: Set<string>): void {
  for (const temp of temps) removeQuietly(temp);
  temps.clear();
}

function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Already gone, or (for a parent) no longer empty: both are fine.
  }
}
