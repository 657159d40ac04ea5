import type { FileInfo } from "./file_store.ts";

/** A cached small file: its metadata when read and its bytes. */
export interface CachedFile {
  /** The file name the client asked for (decides the media type). */
  name: string;
  info: FileInfo;
  bytes: Uint8Array<ArrayBuffer>;
  /** The headers of a plain `200` for it, computed once. */
  headers: Record<string, string>;
}

/**
 * A bounded LRU cache of small files' bytes keyed by URL path, so that hot
 * small files cost one `stat` and no open/read. Callers must check the entry
 * against a fresh stat (`matches`) before trusting it.
 */
export class SmallFileCache {
  /**
   * Set while a filesystem watcher clears this cache on every change under
   * ROOT: entries then need no re-stat before use.
   */
  trusted = false;
  readonly maxFileSize: number;
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

  /** Stores an entry if it is small enough, evicting the least recently used. */
  set(key: string, entry: CachedFile): void {
    if (entry.bytes.length > this.maxFileSize) return;
    this.delete(key);
    this.#entries.set(key, entry);
    this.#total += entry.bytes.length;
    for (const [oldKey] of this.#entries) {
      if (this.#total <= this.maxTotal) break;
      this.delete(oldKey);
    }
  }

  /** Drops an entry. */
  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#total -= entry.bytes.length;
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

/** Whether a fresh stat still describes the cached bytes. */
export function matches(cached: FileInfo, fresh: FileInfo | null): boolean {
  return fresh !== null && fresh.isFile && fresh.size === cached.size &&
    fresh.mtime === cached.mtime && fresh.ino === cached.ino;
}
