import { HttpError } from "../http/http_error.ts";

/** A URL path split into decoded segments. */
export interface DecodedPath {
  segments: string[];
  /** Whether the URL path ends in `/`. */
  trailingSlash: boolean;
}

/**
 * Decodes a URL pathname (as produced by the WHATWG URL parser, which has
 * already resolved `.` and `..` segments) into safe file-name segments.
 * Each segment is percent-decoded exactly once.
 *
 * @throws {HttpError} 400 for invalid percent-encoding, NUL, an encoded
 * separator (`%2f`, `%5c`) or a segment that decodes to `.` or `..`.
 *
 * @example
 * ```ts
 * decodePath("/a%20b/c/"); // { segments: ["a b", "c"], trailingSlash: true }
 * ```
 */
export function decodePath(pathname: string): DecodedPath {
  const segments: string[] = [];
  for (const raw of pathname.split("/")) {
    if (raw === "") continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, "Invalid percent-encoding in path");
    }
    if (segment.includes("\0")) throw new HttpError(400, "NUL byte in path");
    if (segment.includes("/") || segment.includes("\\")) {
      throw new HttpError(400, "Encoded path separator in path");
    }
    if (segment === "." || segment === "..") throw new HttpError(400, "Dot segment in path");
    segments.push(segment);
  }
  return { segments, trailingSlash: pathname.endsWith("/") };
}

/** Prefix of the temporary files uploads stream into; never served or listed. */
export const TEMP_PREFIX = ".sluice-upload-";

/**
 * Prefix of the temp files of resumable uploads (`.sluice-tus-<id>`), which
 * live across requests and restarts: never served or listed, and never
 * swept as leftovers of `PUT` (their upload sessions expire them).
 */
export const RESUMABLE_TEMP_PREFIX = ".sluice-tus-";

/** Whether `name` is one of Sluice's own temp files (of `PUT` or resumable uploads). */
export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) || name.startsWith(RESUMABLE_TEMP_PREFIX);
}

/**
 * Whether a file name is hidden from clients: dot-entries unless `dotfiles`,
 * and Sluice's own upload temp files always.
 */
export function isHiddenName(name: string, dotfiles: boolean): boolean {
  return name.startsWith(".") && (!dotfiles || isTempName(name));
}

/** Whether any segment is hidden (see `isHiddenName`). */
export function isHidden(segments: readonly string[], dotfiles = false): boolean {
  return segments.some((s) => isHiddenName(s, dotfiles));
}

/** Percent-encodes segments back into a URL path. */
export function encodePath(segments: readonly string[], trailingSlash = false): string {
  const path = "/" + segments.map(encodeURIComponent).join("/");
  return trailingSlash && segments.length > 0 ? path + "/" : path;
}
