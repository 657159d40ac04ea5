import type { Handler } from "../context.ts";
import { HttpError } from "../http/http_error.ts";
import { contentType } from "../http/media_type.ts";
import { isHidden } from "../path/decode_path.ts";

/** Splits a decoded `path` query value into safe segments. */
export function pathSegments(path: string): string[] {
  const segments = path.split("/").filter((s) => s !== "");
  for (const segment of segments) {
    if (segment === "." || segment === "..") throw new HttpError(400, "Dot segment in path");
    if (segment.includes("\0")) throw new HttpError(400, "NUL byte in path");
    if (segment.includes("\\")) throw new HttpError(400, "Backslash in path");
  }
  return segments;
}

/**
 * `GET /_/api/stat?path=/sub/a.txt` (unary): JSON metadata of a file or
 * directory under ROOT: `path`, `name`, `isDirectory`, `size`, `modified`
 * (ISO 8601) and, for files, `contentType`.
 */
export const apiStat: Handler = (_request, ctx) => {
  const raw = ctx.url.searchParams.get("path");
  if (raw === null) throw new HttpError(400, "Parameter path is required");
  const segments = pathSegments(raw);
  // Dot-entries (unless --dotfiles) and upload temp files (always) do not exist here.
  if (isHidden(segments, ctx.config.dotfiles)) throw new HttpError(404, "Not found");
  const info = ctx.store.stat(segments);
  if (info === null) throw new HttpError(404, "Not found");
  const name = segments.at(-1) ?? "";
  return Response.json({
    path: "/" + segments.join("/") + (info.isDirectory && segments.length > 0 ? "/" : ""),
    name,
    isDirectory: info.isDirectory,
    size: info.size,
    modified: new Date(info.mtime).toISOString(),
    ...(info.isDirectory ? {} : { contentType: contentType(name) }),
  }, { headers: { "cache-control": "no-store" } });
};
