import type { RequestContext } from "../context.ts";
import type { FileInfo } from "../fs/file_store.ts";
import { parseListingSort, renderListingPage, sortEntries } from "../html/listing_page.ts";
import { acceptsJson } from "../http/accepts.ts";
import { UI_HEADERS } from "../http/ui_headers.ts";
import { VERSION } from "../version.ts";

/** Answers a directory listing as HTML, or JSON for `Accept: application/json`. */
export async function serveListing(
  request: Request,
  ctx: RequestContext,
  segments: string[],
  dir: FileInfo,
): Promise<Response> {
  const entries = await ctx.store.list(dir.path, ctx.config.dotfiles);
  const head = request.method === "HEAD";
  if (acceptsJson(request)) {
    const base = "/" + segments.map((s) => encodeURIComponent(s) + "/").join("");
    const body = JSON.stringify(
      sortEntries(entries).map((e) => ({
        name: e.name,
        type: e.isDirectory ? "dir" : "file",
        size: e.size,
        mtime: new Date(e.mtime).toISOString(),
        href: base + encodeURIComponent(e.name) + (e.isDirectory ? "/" : ""),
      })),
    );
    return new Response(head ? null : body, {
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-cache" },
    });
  }
  const html = renderListingPage({
    segments,
    entries,
    writable: ctx.config.upload && (ctx.user === null || ctx.user.access === "rw"),
    version: VERSION,
    sort: parseListingSort(ctx.url.searchParams),
  });
  return new Response(head ? null : html, {
    headers: {
      ...UI_HEADERS,
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
    },
  });
}
