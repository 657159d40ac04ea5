import type { ContentCoding } from "../http/accept_encoding.ts";
import type { FileInfo } from "./file_store.ts";

/** A coded variant of a cached file's bytes, ready to send. */
export interface CodedBytes {
  bytes: Uint8Array<ArrayBuffer>;
  /** The headers of a plain `200` with these bytes. */
  headers: Record<string, string>;
  /** The precompressed sibling they were read from (re-checked before use), or `null`. */
  source: FileInfo | null;
}

/** A cached file: its metadata when read, and its bytes when it is small. */
export interface CachedFile {
  /** The file name the client asked for (decides the media type). */
  name: string;
  info: FileInfo;
  /** The whole file for small files; `null` for larger ones (metadata only). */
  bytes: Uint8Array<ArrayBuffer> | null;
  /** The headers of a plain `200` for it, computed once. */
  headers: Record<string, string>;
  /** Whether answers depend on `Accept-Encoding` (a compressible type, at least 1 KiB). */
  negotiable: boolean;
  /** Precompressed siblings (`name.br`, …) found when cached, not older than the file. */
  siblings: Partial<Record<ContentCoding, FileInfo>>;
  /** Coded variants of `bytes`, made on first request (use `FileCache.addCoded`). */
  coded: Partial<Record<ContentCoding, CodedBytes>>;
}

/** What one entry is charged besides its bytes, so metadata alone is bounded too. */
const ENTRY_COST = 512;

/**
 * A bounded LRU cache of files keyed by URL path: small files' bytes, and
 * for every file its real path, metadata and headers, so that a hit costs
 * one `stat` (none while a watcher covers the cache) instead of resolving
 * the path again. Callers must check the entry against a fresh stat
 * (`matches`) before trusting it, unless `trusted` is set.
 */
export class FileCache {
  /**
   * Set while a filesystem watcher clears this cache on every change under
   * ROOT: entries then need no re-stat before use.
   */
  trusted = false;
  /** Largest file whose bytes are kept. */
  readonly maxFileSize: number;
  /** Bound on the bytes kept plus `ENTRY_COST` per entry. */
  readonly maxTotal: number;
  #total = 0;
  readonly #entries = new Map<string, CachedFile>();

  constructor(maxFileSize = 64 * 1024, maxTotal = 64 * 1024 * 1024) {
    this.maxFileSize = maxFileSize;
    this.maxTotal = maxTotal;
  }

  /** The entry for `key`, marked as recently used. */
  get(key: string): CachedFile | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  /** Stores an entry (bytes only up to `maxFileSize`), evicting the least recently used. */
  set(key: string, entry: CachedFile): void {
    if (entry.bytes !== null && entry.bytes.length > this.maxFileSize) return;
    this.delete(key);
    this.#entries.set(key, entry);
    this.#total += cost(entry);
    this.#evict();
  }

  #evict(): void {
    for (const [oldKey] of this.#entries) {
      if (this.#total <= this.maxTotal) break;
      this.delete(oldKey);
    }
  }

  /**
   * Keeps a coded variant on `entry` and charges its bytes to the cache
   * when `entry` is the one cached under `key`, evicting as needed.
   */
  addCoded(key: string, entry: CachedFile, coding: ContentCoding, coded: CodedBytes): void {
    const old = entry.coded[coding];
    entry.coded[coding] = coded;
    if (this.#entries.get(key) !== entry) return;
    this.#total += coded.bytes.length - (old?.bytes.length ?? 0);
    this.#evict();
  }

  /** Drops an entry. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#total -= cost(entry);
    this.#entries.delete(key);
  }

  /** Drops everything (e.g. when the watcher reports a change). */
  clear(): void {
    this.#entries.clear();
    this.#total = 0;
  }

  /** Number of cached files. */
  get size(): number {
    return this.#entries.size;
  }
}

function cost(entry: CachedFile): number {
  let total = ENTRY_COST + (entry.bytes?.length ?? 0);
  for (const coded of Object.values(entry.coded)) total += coded.bytes.length;
  return total;
}

/** Whether a fresh stat still describes the cached file. */
export function matches(cached: FileInfo, fresh: FileInfo | null): boolean {
  return fresh !== null && fresh.isFile && fresh.size === cached.size &&
    fresh.mtime === cached.mtime && fresh.ino === cached.ino;
}
