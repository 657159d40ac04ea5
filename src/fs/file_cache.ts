import type { FileInfo } from "./file_store.ts";

/** A cached file: its metadata when read, and its bytes when it is small. */
export interface CachedFile {
  /** The file name the client asked for (decides the media type). */
  name: string;
  info: FileInfo;
  /** The whole file for small files; `null` for larger ones (metadata only). */
  bytes: Uint8Array<ArrayBuffer> | null;
  /** The headers of a plain `200` for it, computed once. */
  headers: Record<string, string>;
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
    for (const [oldKey] of this.#entries) {
      if (this.#total <= this.maxTotal) break;
      this.delete(oldKey);
    }
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
  return ENTRY_COST + (entry.bytes?.length ?? 0);
}

/** Whether a fresh stat still describes the cached file. */
export function matches(cached: FileInfo, fresh: FileInfo | null): boolean {
  return fresh !== null && fresh.isFile && fresh.size === cached.size &&
    fresh.mtime === cached.mtime && fresh.ino === cached.ino;
}
