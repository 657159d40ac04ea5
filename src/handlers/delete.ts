import type { Handler } from "../context.ts";
import { FileWriter } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath } from "../path/decode_path.ts";
import { checkDavWrite } from "./dav_guard.ts";
import { forgetResource } from "./dav_state.ts";
import { checkWritePreconditions } from "./write_preconditions.ts";

/**
 * `DELETE /<path>`: removes a file or an empty folder (204); a folder with
 * contents only with `?recursive` (else 409), or always with
 * `--dav-strict` (RFC 4918 §9.6.1). Honours `If-Match`, the `If` header and
 * locks; the resource's dead properties and locks go with it.
 */
export const deleteEntry: Handler = async (request, ctx) => {
  const { segments, trailingSlash } = decodePath(ctx.url.pathname);
  checkWritablePath(segments, ctx.config.dotfiles);
  const writer = new FileWriter(ctx.store.root);
  const target = writer.locate(segments);
  if (trailingSlash && target.existing !== null && !target.existing.isDirectory) {
    throw new HttpError(404, "Not found");
  }
  checkWritePreconditions(request, target.existing);
  const recursive = recursiveFlag(ctx.url.searchParams.get("recursive")) || ctx.config.davStrict;
  await checkDavWrite(request, ctx, [{ segments, membership: true, members: true }]);
  await writer.remove(target, recursive, ctx.config.dotfiles);
  ctx.store.cache.clear();
  await forgetResource(ctx, segments);
  return new Response(null, { status: 204 });
};

/**
 * `?recursive` (bare, `=1` or `=true`) or its absence (or `=0`, `=false`).
 * Anything else is refused rather than guessed: deleting a whole tree on a
 * typo or a `no` loses data.
 */
function recursiveFlag(value: string | null): boolean {
  if (value === null || value === "0" || value === "false") return false;
  if (value === "" || value === "1" || value === "true") return true;
  throw new HttpError(400, 'Invalid ?recursive value (use "?recursive" or "?recursive=0")');
}
