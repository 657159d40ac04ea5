import type { RequestContext } from "../context.ts";
import {
  type FileInfo,
  MAX_TREE_ENTRIES,
  TooManyEntries,
  type TreeEntry,
} from "../fs/file_store.ts";
import { HttpError } from "../http/http_error.ts";

/**
 * Every entry under `dir` by the listing's rules (`FileStore.walk`), for a
 * folder download or a search; stops when the client leaves.
 *
 * @throws {HttpError} 403 naming `purpose` past `MAX_TREE_ENTRIES` entries.
 */
export async function walkFolder(
  request: Request,
  ctx: RequestContext,
  dir: FileInfo,
  purpose: "archive" | "search",
): Promise<TreeEntry[]> {
  try {
    return await ctx.store.walk(dir.path, ctx.config.dotfiles, MAX_TREE_ENTRIES, request.signal);
  } catch (error) {
    if (!(error instanceof TooManyEntries)) throw error;
    const limit = error.limit.toLocaleString("en-US");
    throw new HttpError(403, `Folder too large to ${purpose} (more than ${limit} entries)`);
  }
}
