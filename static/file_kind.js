// Kinds of listing entries by extension, for icons and previews.
// The server imports this module too (src/html/file_kind.ts): one table for both.

const GROUPS = {
  video: ["mp4", "m4v", "webm", "mkv", "mov", "ogv", "avi"],
  audio: ["mp3", "m4a", "aac", "ogg", "oga", "opus", "wav", "flac"],
  image: ["png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "bmp", "ico"],
  text: ["txt", "md", "log", "csv", "tsv", "srt", "vtt"],
  code: [
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
  ],
  archive: ["zip", "tar", "gz", "tgz", "bz2", "xz", "7z", "rar", "zst"],
  pdf: ["pdf"],
};

/** @type {Record<string, string>} */
export const KIND_BY_EXTENSION = Object.fromEntries(
  Object.entries(GROUPS).flatMap(([kind, exts]) => exts.map((e) => [e, kind])),
);

/**
 * The kind of an entry: "dir", "video", "audio", "image", "text", "code",
 * "archive", "pdf" or "file".
 * @param {string} name
 * @param {boolean} isDirectory
 * @returns {string}
 */
export function fileKind(name, isDirectory) {
  if (isDirectory) return "dir";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return "file";
  return KIND_BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? "file";
}
