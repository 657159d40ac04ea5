/** How far a file's CRC-32 has been computed: over its first `offset` bytes. */
export interface CrcProgress {
  offset: number;
  crc: number;
}

/** What identifies one version of a file: the things an archive's ETag covers. */
export interface CrcKey {
  path: string;
  ino?: number | null;
  size: number;
  mtime: number;
}

/** Bytes of keys (UTF-16) plus this much per entry count against the budget. */
const ENTRY_OVERHEAD = 96;

/**
 * The CRC-32s of files sent in ZIP downloads, complete or as far as they
 * got, so that a resumed download needs neither the bytes before the cut
 * nor every file again for the central directory. A ZIP carries each
 * file's CRC-32 after its bytes and again in the central directory: without
 * this, resuming at 9 of 10 GiB would mean reading the first 9 GiB again.
 *
 * Keyed by path, inode, size and mtime, as the archive's ETag is, and
 * bounded: past `budget` bytes the least recently used go first (a miss
 * only costs reading that file again).
 *
 * @example
 * ```ts
 * const crcs = new CrcCache();
 * crcs.set(source, { offset: source.size, crc });
 * crcs.get(source); // { offset: source.size, crc }
 * ```
 */
export class CrcCache {
  readonly #entries = new Map<string, CrcProgress>();
  readonly #budget: number;
  #used = 0;

  /** `budget`: bytes of memory the entries may take (16 MiB by default). */
  constructor(budget = 16 * 1024 * 1024) {
    this.#budget = budget;
  }

  /** The progress recorded for this version of a file (refreshed as recently used). */
  get(key: CrcKey): CrcProgress | undefined {
    const id = keyOf(key);
    const progress = this.#entries.get(id);
    if (progress === undefined) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, progress);
    return progress;
  }

  /** Records progress; one that got less far than what is known is ignored. */
  set(key: CrcKey, progress: CrcProgress): void {
    const id = keyOf(key);
    const known = this.#entries.get(id);
    if (known !== undefined) {
      if (known.offset > progress.offset) return;
      this.#entries.delete(id);
    } else {
      this.#used += cost(id);
    }
    this.#entries.set(id, progress);
    for (const oldest of this.#entries.keys()) {
      if (this.#used <= this.#budget) break;
      this.#entries.delete(oldest);
      this.#used -= cost(oldest);
    }
  }

  /** Files with progress recorded. */
  get size(): number {
    return this.#entries.size;
  }
}

function keyOf({ path, ino, size, mtime }: CrcKey): string {
  return `${ino ?? ""}:${size}:${mtime}:${path}`;
}

function cost(id: string): number {
  return 2 * id.length + ENTRY_OVERHEAD;
}
