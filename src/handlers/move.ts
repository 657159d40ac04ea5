import type { Handler } from "../context.ts";
import { FileWriter } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath, encodePath } from "../path/decode_path.ts";
import { parseDepth, parseDestination, parseOverwrite } from "../dav/dav_headers.ts";
import { isBelow, pathKey } from "../dav/lock_model.ts";
import { checkDavWrite } from "./dav_guard.ts";
import { followMove } from "./dav_state.ts";
import { checkWritePreconditions } from "./write_preconditions.ts";

/**
 * `MOVE /<path>` with `Destination: /<new path>` (WebDAV, RFC 4918 §9.9):
 * renames a file or folder, making missing parents (409 instead with
 * `--dav-strict`); 201 with `Location` when the destination was free, 204
 * when `Overwrite: T` replaced a file or a folder. Stricter than WebDAV on
 * purpose: without an explicit `Overwrite: T` an existing destination is
 * never replaced (412). Honours `If-Match` on the source, the `If` header
 * and locks on both ends; dead properties follow, locks stay behind.
 */
export const moveEntry: Handler = async (request, ctx) => {
  const { segments, trailingSlash } = decodePath(ctx.url.pathname);
  checkWritablePath(segments, ctx.config.dotfiles);
  const to = parseDestination(request.headers.get("destination"), ctx.url).segments;
  checkWritablePath(to, ctx.config.dotfiles);
  const overwrite = parseOverwrite(request.headers.get("overwrite")) ?? false;
  const writer = new FileWriter(ctx.store.root, { temps: ctx.state.temps });
  const source = writer.locate(segments);
  if (trailingSlash && source.existing !== null && !source.existing.isDirectory) {
    throw new HttpError(404, "Not found");
  }
  checkWritePreconditions(request, source.existing);
  // A folder always moves whole (RFC 4918 §9.9.2).
  if (source.existing?.isDirectory) parseDepth(request.headers.get("depth"), ["infinity"]);
  let target = writer.locate(to);
  if (target.missing.length > 0 && ctx.config.davStrict) {
    throw new HttpError(409, "Destination folder does not exist");
  }
  await checkDavWrite(request, ctx, [
    { segments, membership: true, members: true },
    { segments: to, membership: true, members: true },
  ]);
  const [from, into] = [pathKey(segments), pathKey(to)];
  const sourceExists = source.existing !== null || source.isSymlink;
  if (
    !overwrite && sourceExists && from !== into && (target.existing !== null || target.isSymlink)
  ) {
    throw new HttpError(412, "Destination exists (send Overwrite: T to replace it)");
  }
  let replacedFolder = false;
  const folderInvolved = target.existing?.isDirectory === true ||
    (source.existing?.isDirectory === true && !source.isSymlink);
  if (
    overwrite && target.existing !== null && !target.isSymlink && folderInvolved &&
    source.existing !== null && from !== into && !isBelow(from, into) && !isBelow(into, from)
  ) {
    // Overwrite: T replaces a folder, or a file with a folder: deleted first (RFC 4918 §9.9.3).
    await writer.remove(target, true, ctx.config.dotfiles);
    target = writer.locate(to);
    replacedFolder = true;
  }
  const created = await writer.move(source, target, overwrite) && !replacedFolder;
  ctx.store.cache.clear();
  await followMove(ctx, segments, to);
  if (!created) return new Response(null, { status: 204 });
  const folder = source.existing?.isDirectory === true && !source.isSymlink;
  return new Response(null, { status: 201, headers: { location: encodePath(to, folder) } });
};
