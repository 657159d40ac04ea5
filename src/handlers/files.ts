import type { Handler, RequestContext } from "../context.ts";
import type { FileInfo } from "../fs/file_store.ts";
import { type CachedFile, matches } from "../fs/file_cache.ts";
import { contentDisposition } from "../http/content_disposition.ts";
import { makeEtag } from "../http/etag.ts";
import { HttpError } from "../http/http_error.ts";
import type { ByteRange } from "../http/range.ts";
import { contentType } from "../http/media_type.ts";
import {
  type FilePlan,
  isConditional,
  planFileResponse,
  type Representation,
} from "../http/plan_file_response.ts";
import { decodePath, encodePath, isHidden } from "../path/decode_path.ts";
import { CHUNK_SIZE, fileRangeStream } from "../streams/file_range_stream.ts";
import { memoryRangeSource } from "../streams/memory_range_source.ts";
import {
  multipartByterangesStream,
  multipartLayout,
} from "../streams/multipart_byteranges_stream.ts";
import { serveArchive } from "./archive.ts";
import { checksum } from "./checksum.ts";
import { serveListing } from "./listing.ts";

/**
 * GET and HEAD for everything under ROOT: files with ranges and
 * preconditions, directories as redirects, index files or listings.
 */
export const serveFiles: Handler = (request, ctx) => {
  const { url } = ctx;
  if (url.search !== "" && url.searchParams.has("checksum")) return checksum(request, ctx);
  const cached = freshCacheEntry(ctx);
  if (cached === undefined) return serveUncached(request, ctx);
  // The hot path, answered synchronously: a plain GET of a cached small file
  // skips all planning.
  if (
    cached.bytes !== null && request.method === "GET" && url.search === "" &&
    !isConditional(request.headers)
  ) {
    return new Response(cached.bytes, { headers: cached.headers });
  }
  return respondWithFile(request, ctx, cached.name, cached.info, cached.bytes ?? undefined);
};

/** The cached entry for the request's path, if it still matches the file. */
function freshCacheEntry(ctx: RequestContext): CachedFile | undefined {
  const { cache } = ctx.store;
  const cached = cache.get(ctx.url.pathname);
  // While the change feed's watcher runs it clears the cache on every change,
  // so the stat per hit (the costliest step of a cached answer) can go.
  if (cached && (cache.trusted || matches(cached.info, ctx.store.restat(cached.info.path)))) {
    return cached;
  }
  return undefined;
}

async function serveUncached(request: Request, ctx: RequestContext): Promise<Response> {
  const { pathname } = ctx.url;
  const { cache } = ctx.store;
  const { segments, trailingSlash } = decodePath(pathname);
  if (isHidden(segments, ctx.config.dotfiles)) throw new HttpError(404, "Not found");
  const info = ctx.store.stat(segments);
  if (info === null) throw new HttpError(404, "Not found");

  if (!info.isDirectory) {
    // FIFOs, sockets and devices are not served: opening a FIFO blocks.
    if (trailingSlash || !info.isFile) throw new HttpError(404, "Not found");
    // The name the client asked for (a symlink's, not its target's).
    const name = segments[segments.length - 1];
    const get = request.method === "GET";
    const bytes = get && info.size <= cache.maxFileSize
      ? ctx.store.readSmall(info.path)
      : undefined;
    // Only use and cache what was not modified while we read it.
    const intact = bytes === undefined || bytes.length === info.size;
    if (get && intact) cache.set(pathname, cacheEntry(name, info, bytes));
    return await respondWithFile(request, ctx, name, info, intact ? bytes : undefined);
  }

  if (!trailingSlash) {
    // Rebuilt from the segments: a raw `//host` path must not become a
    // protocol-relative redirect to another site.
    const location = encodePath(segments, true) + ctx.url.search;
    return new Response(null, { status: 301, headers: { location } });
  }
  if (ctx.url.search !== "" && ctx.url.searchParams.has("download") && ctx.config.listing) {
    return await serveArchive(request, ctx, segments, info);
  }
  if (ctx.config.index !== null) {
    const index = ctx.store.stat([...segments, ctx.config.index]);
    if (index !== null && index.isFile) {
      return await respondWithFile(request, ctx, ctx.config.index, index);
    }
  }
  if (!ctx.config.listing) throw new HttpError(404, "Not found");
  return await serveListing(request, ctx, segments, info);
}

/** A cache entry, with the headers of a plain `200` computed once. */
function cacheEntry(name: string, info: FileInfo, bytes?: Uint8Array<ArrayBuffer>): CachedFile {
  const { headers } = planFileResponse("GET", { get: () => null }, representation(name, info));
  return { name, info, bytes: bytes ?? null, headers: Object.fromEntries(headers) };
}

/** What planning needs to know about a file served under `name`. */
function representation(name: string, info: FileInfo): Representation {
  return {
    etag: makeEtag(info),
    lastModified: info.mtime,
    size: info.size,
    contentType: contentType(name),
  };
}

async function respondWithFile(
  request: Request,
  ctx: RequestContext,
  name: string,
  info: FileInfo,
  bytes?: Uint8Array<ArrayBuffer>,
): Promise<Response> {
  const rep = representation(name, info);
  const plan = planFileResponse(request.method, request.headers, rep);
  if (ctx.url.search !== "" && ctx.url.searchParams.has("download")) {
    plan.headers.push(["content-disposition", contentDisposition(name)]);
  }
  const init = { status: plan.status, headers: plan.headers };
  const body = plan.body;
  if (body.type === "range" && !bytes && rangeLength(body.range) <= CHUNK_SIZE) {
    return new Response(readSmallRange(ctx, info, body.range), init);
  }
  if (body.type !== "none" && !bytes) {
    const release = ctx.state.track("download");
    ctx.completed.then(release, release);
  }
  switch (body.type) {
    case "none":
      if (plan.status === 412) throw new HttpError(412, "Precondition failed");
      return new Response(null, init);
    case "full":
      return new Response(bytes ?? (await ctx.store.open(info.path)).readable, init);
    case "range": {
      const { start, end } = body.range;
      if (bytes) return new Response(bytes.subarray(start, end + 1), init);
      // To the end of the file (how players seek): Deno's own file stream,
      // as for a whole file. It ends at Content-Length, and Rust copies it.
      if (end === info.size - 1) {
        return new Response((await ctx.store.openAt(info.path, start)).readable, init);
      }
      return new Response(fileRangeStream(await ctx.store.open(info.path), start, end), init);
    }
    case "multipart":
      return await multipartResponse(
        request,
        ctx,
        info,
        rep.contentType,
        plan,
        body.ranges,
        bytes,
      );
  }
}

function rangeLength(range: ByteRange): number {
  return range.end - range.start + 1;
}

/**
 * A single range no longer than one stream chunk, read at once: the same
 * memory a pull stream would hold for it, without a stream or a thread-pool
 * round trip per step (random 64 KiB ranges: about +30% requests/s, see
 * docs/compile-and-bench.md).
 */
function readSmallRange(
  ctx: RequestContext,
  info: FileInfo,
  range: ByteRange,
): Uint8Array<ArrayBuffer> {
  try {
    return ctx.store.readRangeSync(info.path, range.start, range.end);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // Nothing is sent yet: say so instead of a truncated body.
    throw new HttpError(503, "File changed while being read", { "retry-after": "1" });
  }
}

async function multipartResponse(
  request: Request,
  ctx: RequestContext,
  info: FileInfo,
  type: string,
  plan: FilePlan,
  ranges: ByteRange[],
  bytes: Uint8Array<ArrayBuffer> | undefined,
): Promise<Response> {
  const boundary = crypto.randomUUID().replaceAll("-", "");
  const layout = multipartLayout(ranges, info.size, type, boundary);
  const headers: [string, string][] = [
    ...plan.headers,
    ["content-type", `multipart/byteranges; boundary=${boundary}`],
    ["content-length", String(layout.length)],
  ];
  if (request.method === "HEAD") return new Response(null, { status: 206, headers });
  const source = bytes ? memoryRangeSource(bytes) : await ctx.store.open(info.path);
  return new Response(multipartByterangesStream(source, ranges, layout), {
    status: 206,
    headers,
  });
}
