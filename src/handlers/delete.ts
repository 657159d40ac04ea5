import type { Handler } from "../context.ts";
import { FileWriter } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath } from "../path/decode_path.ts";
import { checkWritePreconditions } from "./write_preconditions.ts";

/**
 * `DELETE /<path>`: removes a file or an empty folder (204); a folder with
 * contents only with `?recursive` (else 409). Honours `If-Match`.
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
  const recursive = ctx.url.searchParams.get("recursive");
  await writer.remove(target, recursive !== null && recursive !== "0" && recursive !== "false");
  ctx.store.cache.clear();
  return new Response(null, { status: 204 });
};
