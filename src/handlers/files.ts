import type { Handler, RequestContext } from "../context.ts";
import type { FileInfo } from "../fs/file_store.ts";
import { type CachedFile, matches } from "../fs/file_cache.ts";
import { contentDisposition } from "../http/content_disposition.ts";
import { HttpError } from "../http/http_error.ts";
import type { ByteRange } from "../http/range.ts";
import { type FilePlan, isConditional, planFileResponse } from "../http/plan_file_response.ts";
import { decodePath, encodePath, isHidden } from "../path/decode_path.ts";
import { CHUNK_SIZE, fileRangeStream } from "../streams/file_range_stream.ts";
import { gzipStream } from "../streams/gzip_stream.ts";
import { memoryRangeSource } from "../streams/memory_range_source.ts";
import {
  multipartByterangesStream,
  multipartLayout,
} from "../streams/multipart_byteranges_stream.ts";
import { serveArchive } from "./archive.ts";
import { checksum } from "./checksum.ts";
import {
  chooseCoding,
  codedHeaders,
  codedRepresentation,
  type CodingChoice,
  fileEntry,
  fileRepresentation,
  VARY_ACCEPT_ENCODING,
} from "./file_codings.ts";
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
  // skips all planning, coded or not.
  if (
    cached.bytes !== null && request.method === "GET" && url.search === "" &&
    !isConditional(request.headers)
  ) {
    if (!cached.negotiable) return new Response(cached.bytes, { headers: cached.headers });
    const choice = chooseCoding(request, ctx, cached);
    if (choice.type === "identity") return new Response(cached.bytes, { headers: cached.headers });
    if (choice.type === "bytes") {
      return new Response(choice.coded.bytes, { headers: choice.coded.headers });
    }
    return respondWithFile(request, ctx, cached, choice);
  }
  return respondWithFile(request, ctx, cached);
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
    // Named as the client asked (a symlink's name, not its target's).
    const file = fileEntry(ctx, segments, info, null);
    const get = request.method === "GET";
    // HEAD reads the bytes too when it must announce the coded length GET sends.
    const read = (get || file.negotiable) && info.size <= cache.maxFileSize;
    const bytes = read ? ctx.store.readSmall(info.path) : undefined;
    // Only use and cache what was not modified while we read it.
    const intact = bytes === undefined || bytes.length === info.size;
    if (intact) file.bytes = bytes ?? null;
    if ((get || read) && intact) cache.set(pathname, file);
    return await respondWithFile(request, ctx, file);
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
      return await respondWithFile(
        request,
        ctx,
        fileEntry(ctx, [...segments, ctx.config.index], index, null),
      );
    }
  }
  if (!ctx.config.listing) throw new HttpError(404, "Not found");
  return await serveListing(request, ctx, segments, info);
}

/**
 * Answers a GET or HEAD of `file` (its `bytes` when cached), coded as
 * `choice` says.
 */
async function respondWithFile(
  request: Request,
  ctx: RequestContext,
  file: CachedFile,
  choice: CodingChoice = chooseCoding(request, ctx, file),
): Promise<Response> {
  if (choice.type !== "identity") return await respondCoded(request, ctx, file, choice);
  const { name, info } = file;
  const bytes = file.bytes ?? undefined;
  const rep = fileRepresentation(name, info);
  const plan = planFileResponse(request.method, request.headers, rep);
  if (file.negotiable) plan.headers.push(VARY_ACCEPT_ENCODING);
  if (ctx.url.search !== "" && ctx.url.searchParams.has("download")) {
    plan.headers.push(["content-disposition", contentDisposition(name)]);
  }
  const init = { status: plan.status, headers: plan.headers };
  const body = plan.body;
  if (body.type === "range" && !bytes && rangeLength(body.range) <= CHUNK_SIZE) {
    return new Response(readSmallRange(ctx, info, body.range), init);
  }
  if (body.type !== "none" && !bytes) trackDownload(ctx);
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

/**
 * Answers with a coded representation: its own validators, so
 * preconditions (and `304`s) apply to it; never a range.
 */
async function respondCoded(
  request: Request,
  ctx: RequestContext,
  file: CachedFile,
  choice: Exclude<CodingChoice, { type: "identity" }>,
): Promise<Response> {
  const rep = codedRepresentation(fileRepresentation(file.name, file.info), choice);
  const plan = planFileResponse(request.method, request.headers, rep);
  if (plan.status === 412) throw new HttpError(412, "Precondition failed");
  const streamed = choice.type === "stream";
  const headers = codedHeaders(plan.headers, choice.coding, streamed);
  if (ctx.url.search !== "" && ctx.url.searchParams.has("download")) {
    headers.push(["content-disposition", contentDisposition(file.name)]);
  }
  const init = { status: plan.status, headers };
  if (plan.body.type === "none") {
    // An empty stream, not `null`: Deno would announce `content-length: 0`
    // for HEAD, where GET has no length.
    const empty = streamed && plan.status === 200;
    return new Response(empty ? ReadableStream.from([]) : null, init);
  }
  switch (choice.type) {
    case "bytes":
      return new Response(choice.coded.bytes, init);
    case "sibling":
      trackDownload(ctx);
      return new Response((await ctx.store.open(choice.info.path)).readable, init);
    case "stream":
      trackDownload(ctx);
      return new Response(gzipStream((await ctx.store.open(file.info.path)).readable), init);
  }
}

/** Counts a body read from disk as a running download until it is delivered. */
function trackDownload(ctx: RequestContext): void {
  const release = ctx.state.track("download");
  ctx.completed.then(release, release);
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
