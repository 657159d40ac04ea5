import type { Handler } from "../context.ts";
import { FileWriter } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath, encodePath } from "../path/decode_path.ts";
import { checkWritePreconditions } from "./write_preconditions.ts";

/** Where a `Destination` header points on this server, as decoded path segments. */
function destination(value: string | null, url: URL): string[] {
  if (value === null) throw new HttpError(400, "Destination header is required");
  let target: URL;
  try {
    target = new URL(value, url);
  } catch {
    throw new HttpError(400, "Invalid Destination header");
  }
  if (target.protocol !== url.protocol || target.host !== url.host) {
    throw new HttpError(400, "Destination must be on this server");
  }
  if (target.username !== "" || target.password !== "") {
    throw new HttpError(400, "Destination must not hold credentials");
  }
  const { segments } = decodePath(target.pathname);
  // Checked decoded: `/%5f/` is `/_/` too.
  if (segments[0] === "_") throw new HttpError(400, "Destination is a reserved path");
  return segments;
}

/** `Overwrite: T` replaces a file at the destination; `F` or no header never does. */
function overwriteFlag(value: string | null): boolean {
  if (value === null || value === "F") return false;
  if (value === "T") return true;
  throw new HttpError(400, 'Invalid Overwrite header (use "T" or "F")');
}

/**
 * `MOVE /<path>` with `Destination: /<new path>` (WebDAV, RFC 4918 §9.9):
 * renames a file or folder, making missing parents; 201 with `Location`
 * when the destination was free, 204 when `Overwrite: T` replaced a file.
 * Stricter than WebDAV on purpose: without `Overwrite: T` an existing
 * destination is never replaced (412), and a folder never is. Honours
 * `If-Match` on the source.
 */
export const moveEntry: Handler = async (request, ctx) => {
  const { segments, trailingSlash } = decodePath(ctx.url.pathname);
  checkWritablePath(segments, ctx.config.dotfiles);
  const to = destination(request.headers.get("destination"), ctx.url);
  checkWritablePath(to, ctx.config.dotfiles);
  const overwrite = overwriteFlag(request.headers.get("overwrite"));
  const writer = new FileWriter(ctx.store.root, { temps: ctx.state.temps });
  const source = writer.locate(segments);
  if (trailingSlash && source.existing !== null && !source.existing.isDirectory) {
    throw new HttpError(404, "Not found");
  }
  checkWritePreconditions(request, source.existing);
  const created = await writer.move(source, writer.locate(to), overwrite);
  ctx.store.cache.clear();
  if (!created) return new Response(null, { status: 204 });
  const folder = source.existing?.isDirectory === true && !source.isSymlink;
  return new Response(null, { status: 201, headers: { location: encodePath(to, folder) } });
};
