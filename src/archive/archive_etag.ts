import { createHash } from "node:crypto";
import { VERSION } from "../version.ts";
import type { ArchiveEntry } from "./archive_entry.ts";

/** An entry as the walk saw it: its inode tells a replaced file from an edited one. */
export interface EtagEntry extends ArchiveEntry {
  ino?: number | null;
}

/**
 * A strong ETag for a folder archive: a SHA-256 over the format, the Sluice
 * version (which fixes the framing) and every entry's name, kind, size,
 * mtime, inode and mode, in order. Any change to any of them changes the
 * tag, so `If-Range` and `If-Match` never let two different archives be
 * spliced into one download.
 *
 * @example
 * ```ts
 * archiveEtag("zip", entries); // '"zip-<entry count>-<22 base64url characters>"'
 * ```
 */
export function archiveEtag(format: string, entries: readonly EtagEntry[]): string {
  const hash = createHash("sha256").update(`sluice ${VERSION} ${format}\n`);
  for (const e of entries) {
    // JSON keeps names with any character apart from the fields around them.
    hash.update(
      JSON.stringify([e.name, e.isDirectory, e.size, e.mtime, e.ino ?? null, !!e.executable]),
    );
    hash.update("\n");
  }
  const digest = hash.digest("base64url").slice(0, 22);
  return `"${format}-${entries.length.toString(36)}-${digest}"`;
}
