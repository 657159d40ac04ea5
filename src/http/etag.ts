/** What an ETag is computed from. */
export interface EtagSource {
  size: number;
  /** Modification time in milliseconds since the epoch. */
  mtime: number;
  ino?: number | null;
}

/**
 * A strong validator from size, mtime and inode: `"<ino>-<size>-<mtime>"` in
 * base 36. Any write changes mtime or size, and a replaced file changes inode.
 */
export function makeEtag({ size, mtime, ino }: EtagSource): string {
  const parts = [size.toString(36), Math.floor(mtime).toString(36)];
  if (ino) parts.unshift(ino.toString(36));
  return `"${parts.join("-")}"`;
}

/** One entity-tag from a list header. */
export interface ParsedEtag {
  weak: boolean;
  /** The opaque tag including its quotes. */
  tag: string;
}

/**
 * Parses an `If-Match` / `If-None-Match` field value. Returns `"*"` for the
 * wildcard and a (possibly empty) list otherwise; malformed members are
 * skipped.
 */
export function parseEtagList(value: string): "*" | ParsedEtag[] {
  if (value.trim() === "*") return "*";
  const tags: ParsedEtag[] = [];
  for (const match of value.matchAll(/(W\/)?("[^"]*")/g)) {
    tags.push({ weak: match[1] !== undefined, tag: match[2] });
  }
  return tags;
}

/** Strong comparison (RFC 9110 §8.8.3.2): both strong and identical. */
export function strongMatch(a: ParsedEtag, etag: string): boolean {
  return !a.weak && !etag.startsWith("W/") && a.tag === etag;
}

/** Weak comparison: opaque tags identical, weakness ignored. */
export function weakMatch(a: ParsedEtag, etag: string): boolean {
  return a.tag === etag.replace(/^W\//, "");
}
