import type { Handler } from "../context.ts";
import { FileWriter } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath } from "../path/decode_path.ts";
import { checkDavWrite } from "./dav_guard.ts";
import { forgetResource } from "./dav_state.ts";
import { checkWritePreconditions } from "./write_preconditions.ts";

/**
 * `DELETE /<path>`: removes a file, or a folder with everything in it
 * (RFC 4918 §9.6.1, as nginx, Apache and dufs do) — unless the request
 * asks for an empty folder only, with `Depth: 0` or `?recursive=0`: then a
 * folder with contents is a 409 (the web UI asks that first and confirms a
 * second time). Honours `If-Match`, the `If` header and locks; the
 * resource's dead properties and locks go with it.
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
  const recursive = recursiveFlag(
    ctx.url.searchParams.get("recursive"),
    request.headers.get("depth"),
  );
  await checkDavWrite(request, ctx, [{ segments, membership: true, members: true }]);
  await writer.remove(target, recursive, ctx.config.dotfiles);
  ctx.store.cache.clear();
  await forgetResource(ctx, segments);
  return new Response(null, { status: 204 });
};

/**
 * Whether a folder goes with its contents: yes unless `Depth: 0` or
 * `?recursive=0` (`=false`) asks for an empty folder only. Other values are
 * refused rather than guessed: deleting a whole tree on a typo loses data.
 */
function recursiveFlag(query: string | null, depth: string | null): boolean {
  const byDepth = depth === null ? null : depth.trim().toLowerCase();
  if (byDepth !== null && byDepth !== "0" && byDepth !== "infinity") {
    throw new HttpError(
      400,
      "DELETE takes Depth: infinity (the default) or 0 (empty folders only)",
    );
  }
  if (query === "0" || query === "false" || byDepth === "0") return false;
  if (query === null || query === "" || query === "1" || query === "true") return true;
  throw new HttpError(400, 'Invalid ?recursive value (use "?recursive" or "?recursive=0")');
}
