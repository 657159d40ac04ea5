import type { RequestContext } from "../context.ts";
import type { DirEntry, FileInfo } from "../fs/file_store.ts";
import { HttpError } from "../http/http_error.ts";
import { openStream } from "../stream_slots.ts";
import { parseListingSort, renderListingPage, sortEntries } from "../html/listing_page.ts";
import { acceptsJson } from "../http/accepts.ts";
import { UI_HEADERS } from "../http/ui_headers.ts";
import { VERSION } from "../version.ts";
import { pathHref } from "../../static/dom.js";
import { textBodyResponse } from "./text_body.ts";
import { walkFolder } from "./walk_folder.ts";

/** Longest search text, in UTF-16 code units (longer than any file name). */
const MAX_QUERY_LENGTH = 255;

/** Most search results shown; the page says when there were more. */
const MAX_SEARCH_RESULTS = 1000;

/**
 * Answers a directory listing as HTML, or JSON for `Accept: application/json`.
 * With `?q=text`, the same page lists what matches `text` in this folder and
 * every folder below it (names containing it, ignoring case), with paths
 * relative to this folder as names.
 */
export async function serveListing(
  request: Request,
  ctx: RequestContext,
  segments: string[],
  dir: FileInfo,
): Promise<Response> {
  const query = ctx.url.searchParams.get("q")?.trim() ?? "";
  if (query.length > MAX_QUERY_LENGTH) throw new HttpError(400, "Search text too long");
  let entries: DirEntry[];
  let truncated = false;
  if (query !== "") {
    ({ entries, truncated } = await search(request, ctx, dir, query));
  } else {
    entries = await ctx.store.list(dir.path, ctx.config.dotfiles);
  }
  // ROOT's "_" is shadowed by the reserved /_/ paths: a link to it would
  // open Sluice's own pages.
  if (segments.length === 0 && ctx.scope === undefined) {
    entries = entries.filter((e) => e.name !== RESERVED_SEGMENT && !e.name.startsWith("_/"));
  }
  if (acceptsJson(request)) {
    // Through a share link, paths start at the share's root.
    const base = (ctx.scope?.base ?? "") + "/" +
      segments.map((s) => encodeURIComponent(s) + "/").join("");
    const body = JSON.stringify(
      sortEntries(entries).map((e) => ({
        name: e.name,
        type: e.isDirectory ? "dir" : "file",
        size: e.size,
        mtime: new Date(e.mtime).toISOString(),
        href: base + pathHref(e.name, e.isDirectory),
      })),
    );
    return await textBodyResponse(request, ctx, body, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-cache",
      "vary": "Accept",
    });
  }
  const html = renderListingPage({
    segments,
    entries,
    writable: ctx.scope === undefined && ctx.config.upload &&
      (ctx.user === null || ctx.user.access === "rw"),
    base: ctx.scope?.base,
    canShare: ctx.scope === undefined && ctx.stateStore !== null && canShare(ctx),
    version: VERSION,
    sort: parseListingSort(ctx.url.searchParams),
    search: query === "" ? undefined : { query, truncated },
  });
  return await textBodyResponse(request, ctx, html, {
    ...UI_HEADERS,
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-cache",
    "vary": "Accept",
  });
}

/** Whether the client may make share links (as `POST /_/api/shares` decides). */
function canShare(ctx: RequestContext): boolean {
  if (ctx.config.auth.length > 0) return ctx.user?.access === "rw";
  return ctx.config.upload;
}

/** Entries under `dir` whose names contain `query` (case and Unicode form ignored). */
async function search(request: Request, ctx: RequestContext, dir: FileInfo, query: string) {
  // A walk can take a while: it counts against the client's --max-streams.
  const release = openStream(ctx, "search");
  let tree;
  try {
    tree = await walkFolder(request, ctx, dir, "search");
  } finally {
    release();
  }
  const needle = query.normalize("NFC").toLowerCase();
  const entries = tree.filter((e) =>
    e.name.slice(e.name.lastIndexOf("/") + 1).normalize("NFC").toLowerCase().includes(needle)
  );
  return {
    entries: entries.slice(0, MAX_SEARCH_RESULTS),
    truncated: entries.length > MAX_SEARCH_RESULTS,
  };
}

/** The ROOT entry that `/_/` (Sluice's own paths) shadows. */
const RESERVED_SEGMENT = "_";
