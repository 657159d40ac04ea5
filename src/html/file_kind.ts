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
 * Kinds by lower-case extension. `static/file_kind.js` holds the same table
 * for rows the browser adds live; a test keeps the two in step.
 */
export const KIND_BY_EXTENSION: Readonly<Record<string, FileKind>> = Object.fromEntries([
  ...["mp4", "m4v", "webm", "mkv", "mov", "ogv", "avi"].map((e) => [e, "video"]),
  ...["mp3", "m4a", "aac", "ogg", "oga", "opus", "wav", "flac"].map((e) => [e, "audio"]),
  ...["png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "bmp", "ico"].map((e) => [e, "image"]),
  ...["txt", "md", "log", "csv", "tsv", "srt", "vtt"].map((e) => [e, "text"]),
  ...[
    "js",
    "mjs",
    "ts",
    "tsx",
    "jsx",
    "json",
    "ndjson",
    "html",
    "htm",
    "css",
    "xml",
    "yml",
    "yaml",
    "toml",
    "ini",
    "sh",
    "py",
    "rs",
    "go",
    "c",
    "h",
    "cpp",
    "java",
    "rb",
    "php",
    "sql",
  ].map((e) => [e, "code"]),
  ...["zip", "tar", "gz", "tgz", "bz2", "xz", "7z", "rar", "zst"].map((e) => [e, "archive"]),
  ["pdf", "pdf"],
]);

/**
 * The kind of a listing entry from its name.
 *
 * @example
 * ```ts
 * fileKind("clip.MP4", false); // "video"
 * fileKind("photos", true); // "dir"
 * ```
 */
export function fileKind(name: string, isDirectory: boolean): FileKind {
  if (isDirectory) return "dir";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return "file";
  return KIND_BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? "file";
}
