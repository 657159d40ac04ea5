import type { Handler } from "../context.ts";
import { FileWriter } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath, encodePath } from "../path/decode_path.ts";
import { checkDavWrite } from "./dav_guard.ts";

/**
 * `MKCOL` (RFC 4918 §9.3): creates one folder, 201 with `Location`. 405
 * when something already exists there, 409 when its parent does not exist
 * (never created on the way, unlike `PUT dir/`), 415 for any body (no
 * MKCOL body format is supported).
 */
export const mkcol: Handler = async (request, ctx) => {
  const { segments } = decodePath(ctx.url.pathname);
  checkWritablePath(segments, ctx.config.dotfiles);
  if (await hasBody(request)) throw new HttpError(415, "MKCOL with a body is not supported");
  const writer = new FileWriter(ctx.store.root, { temps: ctx.state.temps });
  const target = writer.locate(segments);
  if (target.isRoot || target.existing !== null || target.isSymlink) {
    throw new HttpError(405, "Something already exists here", {
      allow: "GET, HEAD, PROPFIND, DELETE, MOVE, COPY, PROPPATCH, LOCK, UNLOCK, OPTIONS",
    });
  }
  if (target.missing.length > 0) throw new HttpError(409, "Parent folder does not exist");
  await checkDavWrite(request, ctx, [{ segments, membership: true }]);
  if (!writer.mkdir(target)) throw new HttpError(405, "Something already exists here");
  ctx.store.cache.clear();
  return new Response(null, { status: 201, headers: { location: encodePath(segments, true) } });
};

/** Whether the request carries body bytes; they are read and dropped (a few bytes at most matter). */
async function hasBody(request: Request): Promise<boolean> {
  if (request.body === null) return false;
  const reader = request.body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.length > 0) return true;
    }
  } finally {
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
