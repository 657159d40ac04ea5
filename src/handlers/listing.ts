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
  let entries = await ctx.store.list(dir.path, ctx.config.dotfiles);
  // ROOT's "_" is shadowed by the reserved /_/ paths: a link to it would
  // open Sluice's own pages.
  if (segments.length === 0) entries = entries.filter((e) => e.name !== RESERVED_SEGMENT);
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
    return bodyResponse(head, body, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-cache",
      "vary": "Accept",
    });
  }
  const html = renderListingPage({
    segments,
    entries,
    writable: ctx.config.upload && (ctx.user === null || ctx.user.access === "rw"),
    version: VERSION,
    sort: parseListingSort(ctx.url.searchParams),
  });
  return bodyResponse(head, html, {
    ...UI_HEADERS,
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-cache",
    "vary": "Accept",
  });
}

/** The ROOT entry that `/_/` (Sluice's own paths) shadows. */
const RESERVED_SEGMENT = "_";

const encoder = new TextEncoder();

/**
 * A response with an explicit `Content-Length`, so HEAD carries the same
 * headers as GET (Deno would otherwise send `content-length: 0` for HEAD).
 */
function bodyResponse(head: boolean, text: string, headers: Record<string, string>): Response {
  const bytes = encoder.encode(text);
  return new Response(head ? null : bytes, {
    headers: { ...headers, "content-length": String(bytes.length) },
  });
}
