import db from "mime-db";

const BY_EXTENSION = new Map<string, string>();
for (
  const [type, entry] of Object.entries(
    db as Record<string, { extensions?: string[]; source?: string }>,
  )
) {
  for (const ext of entry.extensions ?? []) {
    const existing = BY_EXTENSION.get(ext);
    // Prefer IANA-registered types over others for the same extension.
    if (
      !existing ||
      (entry.source === "iana" &&
        (db as Record<string, { source?: string }>)[existing].source !== "iana")
    ) {
      BY_EXTENSION.set(ext, type);
    }
  }
}
// Browsers and players expect these, whatever the registries prefer.
BY_EXTENSION.set("mp4", "video/mp4");
BY_EXTENSION.set("mp3", "audio/mpeg");
BY_EXTENSION.set("js", "text/javascript");
BY_EXTENSION.set("mjs", "text/javascript");
BY_EXTENSION.set("md", "text/markdown");

const TEXTUAL =
  /^(text\/|application\/(json|javascript|xml|x-ndjson|manifest\+json|ld\+json)|image\/svg\+xml)/;

/**
 * The `Content-Type` for a file name: from mime-db by extension, with
 * `charset=utf-8` for text types and `application/octet-stream` when unknown.
 *
 * @example
 * ```ts
 * contentType("clip.mp4"); // "video/mp4"
 * contentType("notes.txt"); // "text/plain; charset=utf-8"
 * ```
 */
export function contentType(name: string): string {
  const dot = name.lastIndexOf(".");
  const type = dot === -1 ? undefined : BY_EXTENSION.get(name.slice(dot + 1).toLowerCase());
  if (!type) return "application/octet-stream";
  return TEXTUAL.test(type) ? `${type}; charset=utf-8` : type;
}
