import { syncDirectory } from "./sync_directory.ts";
import type { PageCache } from "./page_cache.ts";
import { Writeback, WRITEBACK_STEP } from "./writeback.ts";
import { BatchedWriter } from "./batched_writer.ts";
import { createHash, type Hash } from "node:crypto";
import { join } from "node:path";
import { HttpError } from "../http/http_error.ts";
import { uploadBody, uploadReads } from "../streams/upload_body.ts";
import { errorCode } from "./error_code.ts";
import { type FileInfo, toFileInfo } from "./file_store.ts";
import type { CommitGuard, FileWriter, WriteResult } from "./file_writer.ts";

/**
 * During a long append, the bytes so far are `fsync`ed and reported to
 * `checkpoint` every this many bytes, so an offset query (or a crash)
 * sees recent progress.
 */
const CHECKPOINT_BYTES = 64 * 1024 * 1024;

/** What one append did. */
export interface AppendResult {
  /** Bytes appended and `fsync`ed. */
  written: number;
  /** Why the body ended early (client gone, `signal`), or `null` when it was read to the end. */
  cause: unknown;
}

/** Options of `ResumableFile.append`. */
export interface AppendOptions {
  /** Most bytes this append may add; more is a 413 and nothing is appended. */
  maxBytes: number;
  /** Hashes the appended bytes (a declared per-append checksum). */
  hash?: Hash;
  /** Stops reading (shutdown, lost lease); what arrived is kept. */
  signal?: AbortSignal;
  /** Called after each `fsync`ed checkpoint with the bytes appended so far. */
  checkpoint?: (written: number) => Promise<void>;
  /** Ends the body with `HttpError(408)` when nothing arrives for this many ms (0: never). */
  idleTimeout?: number;
  /** Drops what is on disk from the page cache (`--drop-upload-cache`). */
  pageCache?: PageCache | null;
}

/** The upload's data is missing or shorter than acknowledged. */
export class UploadDataLost extends Error {
  override name = "UploadDataLost";
  constructor() {
    super("The data of this upload is gone");
  }
}

/**
 * The temp file of one resumable upload, a hidden dot-file beside its
 * target (same file system, so finishing is a `rename`). Appends land at
 * an exact offset and are `fsync`ed before they count; bytes past the last
 * acknowledged offset (from a writer that crashed) are cut off first.
 */
export class ResumableFile {
  /** Absolute path of the temp file. */
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** Creates the empty temp file (and its durable directory entry). */
  async create(): Promise<void> {
    const file = await Deno.open(this.path, { write: true, createNew: true, mode: 0o644 });
    try {
      await file.sync();
    } finally {
      file.close();
    }
  }

  /**
   * Appends `body` at `offset`, reading into one pooled 128 KiB buffer at a
   * time (`uploadBody`) and gathering it in a 1 MiB batch from the upload
   * pool (`BatchedWriter`): a paused or slow uploader holds these two
   * buffers and nothing more. A body that fails or is stopped by `signal`
   * keeps what arrived. Every byte counted in the result is on disk
   * (`fsync`).
   *
   * @throws {UploadDataLost} when the file is missing or shorter than `offset`.
   * @throws {HttpError} 413 when the body is longer than `maxBytes` (the
   * file is cut back to `offset`).
   */
  async append(
    offset: number,
    body: ReadableStream<Uint8Array>,
    options: AppendOptions,
  ): Promise<AppendResult> {
    const file = await this.#open();
    const writeback = new Writeback(() => file.syncData(), {
      path: this.path,
      start: offset,
      step: WRITEBACK_STEP,
      pageCache: options.pageCache ?? null,
    });
    // Chunks are gathered into one pooled batch and written when it is
    // full: fewer thread-pool round trips than a write per network read.
    const batch = new BatchedWriter(file, (bytes) => writeback.wrote(bytes));
    let accepted = 0;
    let synced = 0;
    let cause: unknown = null;
    const reader = uploadBody(body, options.idleTimeout ?? 0).getReader();
    const stop = () => reader.cancel(options.signal?.reason).catch(() => {});
    options.signal?.addEventListener("abort", stop, { once: true });
    try {
      const size = (await file.stat()).size;
      if (size < offset) throw new UploadDataLost();
      if (size > offset) await file.truncate(offset);
      await file.seek(offset, Deno.SeekMode.Start);
      while (true) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          if (options.signal?.aborted) throw options.signal.reason;
          next = await reader.read();
        } catch (error) {
          cause = error;
          break;
        }
        if (next.done) {
          if (options.signal?.aborted) cause = options.signal.reason;
          break;
        }
        const chunk = next.value;
        if (accepted + chunk.length > options.maxBytes) {
          uploadReads.give(chunk.buffer);
          await stop();
          await writeback.settled().catch(() => {});
          await file.truncate(offset);
          throw new HttpError(413, "Upload larger than its length or the size limit");
        }
        options.hash?.update(chunk);
        await batch.write(chunk);
        accepted += chunk.length;
        uploadReads.give(chunk.buffer);
        if (options.checkpoint && writeback.written - synced >= CHECKPOINT_BYTES) {
          await writeback.sync();
          synced = writeback.written;
          await options.checkpoint(synced);
        }
      }
      // What arrived before an interruption is kept too.
      await batch.flush();
      await writeback.sync();
      return { written: writeback.written, cause };
    } finally {
      await writeback.settled().catch(() => {});
      options.signal?.removeEventListener("abort", stop);
      reader.releaseLock();
      file.close();
      batch.release();
    }
  }

  /** Cuts the file back to `size` bytes (a rejected append) and syncs it. */
  async truncate(size: number): Promise<void> {
    const file = await this.#open();
    try {
      await file.truncate(size);
      await file.sync();
    } finally {
      file.close();
    }
  }

  /** The SHA-256 of the whole file, read in pooled chunks. */
  async sha256(): Promise<Uint8Array> {
    const hash = createHash("sha256");
    const file = await Deno.open(this.path, { read: true });
    const buffer = new Uint8Array(uploadReads.take());
    try {
      while (true) {
        const n = await file.read(buffer);
        if (n === null) break;
        hash.update(buffer.subarray(0, n));
      }
    } finally {
      file.close();
      uploadReads.give(buffer.buffer);
    }
    return new Uint8Array(hash.digest());
  }

  /**
   * Moves the finished file to `segments` (resolved now, creating missing
   * parents), replacing what is there. `guard` sees what exists at that
   * moment; the check and the rename run without yielding, so no other
   * write of this process slips in between.
   *
   * @throws {HttpError} 409 when the target is a folder or on another file
   * system, whatever `guard` throws; `UploadDataLost` when the file is gone.
   */
  async commit(writer: FileWriter, segments: string[], guard: CommitGuard): Promise<WriteResult> {
    const target = writer.locate(segments);
    const current: FileInfo | null = target.existing;
    if (current?.isDirectory && !target.isSymlink) throw new HttpError(409, "Target is a folder");
    guard(current);
    const dir = join(target.base, ...target.missing);
    if (target.missing.length > 0) Deno.mkdirSync(dir, { recursive: true });
    let stat: Deno.FileInfo;
    try {
      stat = Deno.statSync(this.path);
      Deno.renameSync(this.path, target.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new UploadDataLost();
      if (errorCode(error) === "EXDEV") {
        throw new HttpError(409, "Target folder is on another file system");
      }
      if (errorCode(error) === "EISDIR") throw new HttpError(409, "Target is a folder");
      throw error;
    }
    await syncDirectory(dir);
    return { created: current === null, info: toFileInfo(target.path, stat) };
  }

  /** Removes the temp file; `false` when it was already gone. */
  async remove(): Promise<boolean> {
    try {
      await Deno.remove(this.path);
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  async #open(): Promise<Deno.FsFile> {
    try {
      return await Deno.open(this.path, { read: true, write: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new UploadDataLost();
      throw error;
    }
  }
}
