import type { Handler, RequestContext } from "../context.ts";
import { parseDepth, parseDestination, parseOverwrite } from "../dav/dav_headers.ts";
import { isBelow, pathKey } from "../dav/lock_model.ts";
import { PropStore } from "../dav/prop_store.ts";
import { multistatusResponse, statusResponse } from "../dav/xml_writer.ts";
import { type FileInfo, MAX_TREE_ENTRIES, TooManyEntries } from "../fs/file_store.ts";
import { errorCode } from "../fs/error_code.ts";
import { FileWriter } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { contained } from "../path/contained.ts";
import { decodePath, encodePath, isHidden } from "../path/decode_path.ts";
import { checkDavWrite } from "./dav_guard.ts";

/**
 * `COPY` (RFC 4918 §9.8): a file, or a folder with `Depth: 0` (the folder
 * alone) or `infinity` (everything in it, the default). Each file is
 * streamed into a temporary file and renamed into place, so readers never
 * see half a copy. An existing destination is replaced only with an
 * explicit `Overwrite: T` (204), folders included; otherwise 412. Dead
 * properties are copied; locks are not. Members that fail are listed in a
 * 207 and the rest is copied.
 */
export const copyEntry: Handler = async (request, ctx) => {
  const { segments, trailingSlash } = decodePath(ctx.url.pathname);
  if (isHidden(segments, ctx.config.dotfiles)) throw new HttpError(404, "Not found");
  const to = parseDestination(request.headers.get("destination"), ctx.url).segments;
  checkWritablePath(to, ctx.config.dotfiles);
  const overwrite = parseOverwrite(request.headers.get("overwrite")) ?? false;
  const info = ctx.store.stat(segments);
  if (
    info === null || (trailingSlash && !info.isDirectory) || (!info.isDirectory && !info.isFile)
  ) {
    throw new HttpError(404, "Not found");
  }
  const depth = parseDepth(
    request.headers.get("depth"),
    info.isDirectory ? ["0", "infinity"] : ["0", "1", "infinity"],
  );
  if (pathKey(to) === pathKey(segments)) {
    throw new HttpError(403, "Source and destination are the same");
  }
  if (info.isDirectory && isBelow(pathKey(to), pathKey(segments))) {
    throw new HttpError(403, "A folder cannot be copied into itself");
  }
  const writer = new FileWriter(ctx.store.root, { temps: ctx.state.temps });
  let target = writer.locate(to);
  // Replacing a folder deletes it first: never one that holds the source
  // (compared by URL, and by real path for links).
  if (
    isBelow(pathKey(segments), pathKey(to)) ||
    (target.existing?.isDirectory && !target.isSymlink &&
      contained(target.existing.path, info.path))
  ) {
    throw new HttpError(403, "The destination holds the source");
  }
  if (target.isRoot) throw new HttpError(403, "ROOT cannot be replaced");
  // COPY is WebDAV's alone: RFC 4918 §9.8.5 always (MOVE and PUT make
  // missing folders unless --dav-strict, for curl and the web UI).
  if (target.missing.length > 0) throw new HttpError(409, "Destination folder does not exist");
  const exists = target.existing !== null || target.isSymlink;
  if (exists && !overwrite) {
    throw new HttpError(412, "Destination exists (send Overwrite: T to replace it)");
  }
  await checkDavWrite(request, ctx, [{ segments: to, membership: true, members: true }]);
  const props = ctx.stateStore ? new PropStore(ctx.stateStore) : null;
  // A file replaces a file atomically; anything else is deleted first (RFC 4918 §9.8.4).
  if (exists && (info.isDirectory || target.isSymlink || target.existing?.isDirectory)) {
    await writer.remove(target, true, ctx.config.dotfiles);
    target = writer.locate(to);
  }
  const failures = info.isDirectory
    ? await copyFolder(request, ctx, writer, info, to, depth === "infinity")
    : (await copyFile(writer, ctx, info, to), []);
  await props?.copy(segments, to, depth === "infinity");
  ctx.store.cache.clear();
  if (failures.length > 0) return multistatusResponse(failures);
  if (exists) return new Response(null, { status: 204 });
  return new Response(null, {
    status: 201,
    headers: { location: encodePath(to, info.isDirectory) },
  });
};

/** Streams one file into place at `to`. */
async function copyFile(
  writer: FileWriter,
  ctx: RequestContext,
  from: Pick<FileInfo, "path" | "ino">,
  to: string[],
): Promise<void> {
  const file = await ctx.store.openSame(from.path, from.ino);
  if (file === null) throw new HttpError(404, "Source changed during the copy");
  await writer.write(writer.locate(to), file.readable, () => {});
}

/**
 * Creates the folder `to` and, when `deep`, copies everything below
 * `from` into it; returns a `<D:response>` for each member that failed
 * (whose own members are then skipped).
 */
async function copyFolder(
  request: Request,
  ctx: RequestContext,
  writer: FileWriter,
  from: FileInfo,
  to: string[],
  deep: boolean,
): Promise<string[]> {
  writer.mkdir(writer.locate(to));
  if (!deep) return [];
  let entries;
  try {
    entries = await ctx.store.walk(
      from.path,
      ctx.config.dotfiles,
      MAX_TREE_ENTRIES,
      request.signal,
    );
  } catch (error) {
    if (error instanceof TooManyEntries) {
      throw new HttpError(403, `Folder has more than ${error.limit} entries`);
    }
    throw error;
  }
  const failures: string[] = [];
  const failed: string[] = [];
  for (const entry of entries) {
    if (failed.some((prefix) => entry.name.startsWith(prefix))) continue;
    const target = [...to, ...entry.name.split("/")];
    try {
      if (entry.isDirectory) writer.mkdir(writer.locate(target));
      else await copyFile(writer, ctx, entry, target);
    } catch (error) {
      const status = error instanceof HttpError
        ? error.status
        : errorCode(error) === "ENOSPC"
        ? 507
        : error instanceof Deno.errors.PermissionDenied
        ? 403
        : 500;
      if (status === 500) console.error(`COPY of ${entry.path} failed:`, error);
      failures.push(statusResponse(encodePath(target, entry.isDirectory), status));
      if (entry.isDirectory) failed.push(entry.name + "/");
    }
  }
  return failures;
}
