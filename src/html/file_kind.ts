import { fileKind as browserFileKind } from "../../static/file_kind.js";

/** What a listing entry is, for its icon and for how the UI previews it. */
export type FileKind =
  | "dir"
  | "video"
  | "audio"
  | "image"
  | "text"
  | "code"
  | "archive"
  | "pdf"
  | "file";

/**
 * The kind of a listing entry from its name. The table lives in
 * `static/file_kind.js` so the server-rendered page and rows the browser adds
 * live use one source.
 *
 * @example
 * ```ts
 * fileKind("clip.MP4", false); // "video"
 * fileKind("photos", true); // "dir"
 * ```
 */
export function fileKind(name: string, isDirectory: boolean): FileKind {
  return browserFileKind(name, isDirectory) as FileKind;
}
