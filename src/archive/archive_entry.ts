/** What the archive framings (tar and ZIP) need to know about one entry. */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated; folders without a trailing `/`. */
  name: string;
  isDirectory: boolean;
  /** Bytes of content (0 for folders). */
  size: number;
  /** Modification time in epoch milliseconds. */
  mtime: number;
  /** Stored as mode 755 instead of 644 (folders always are). */
  executable?: boolean;
}

/** The Unix permission bits an entry is stored with. */
export function archiveMode(entry: ArchiveEntry): number {
  return entry.isDirectory || entry.executable ? 0o755 : 0o644;
}
