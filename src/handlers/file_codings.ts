import type { RequestContext } from "../context.ts";
import { type CachedFile, type CodedBytes, matches } from "../fs/file_cache.ts";
import type { FileInfo } from "../fs/file_store.ts";
import { CONTENT_CODINGS, type ContentCoding, negotiateEncoding } from "../http/accept_encoding.ts";
import { compressBytes } from "../http/compress_bytes.ts";
import {
  codedEtag,
  isCompressible,
  MIN_COMPRESS_SIZE,
  SIBLING_SUFFIX,
} from "../http/compression_policy.ts";
import { makeEtag } from "../http/etag.ts";
import { contentType } from "../http/media_type.ts";
import { planFileResponse, type Representation } from "../http/plan_file_response.ts";

/** How the body of a file is coded for one request. */
export type CodingChoice =
  | { type: "identity" }
  /** Coded bytes in memory: the cached file compressed, or a small sibling read. */
  | { type: "bytes"; coding: ContentCoding; coded: CodedBytes }
  /** A precompressed sibling streamed from disk. */
  | { type: "sibling"; coding: ContentCoding; info: FileInfo }
  /** The file gzipped as the client pulls it. */
  | { type: "stream"; coding: "gzip" };

const IDENTITY: CodingChoice = { type: "identity" };

/** The header every answer that could have been coded carries. */
export const VARY_ACCEPT_ENCODING: [string, string] = ["vary", "Accept-Encoding"];

/** What planning needs to know about a file served under `name`, as it is on disk. */
export function fileRepresentation(name: string, info: FileInfo): Representation {
  return {
    etag: makeEtag(info),
    lastModified: info.mtime,
    size: info.size,
    contentType: contentType(name),
  };
}

/**
 * A file entry (cached or not) for the file at `segments`: whether its
 * answers depend on `Accept-Encoding`, its precompressed siblings
 * (`name.br`, `name.zst`, `name.gz` beside it, regular files inside ROOT
 * not older than it, as nginx's `gzip_static`), and the headers of a plain
 * identity `200`.
 */
export function fileEntry(
  ctx: RequestContext,
  segments: readonly string[],
  info: FileInfo,
  bytes: Uint8Array<ArrayBuffer> | null,
): CachedFile {
  const name = segments[segments.length - 1];
  const rep = fileRepresentation(name, info);
  const negotiable = ctx.config.compress && info.size >= MIN_COMPRESS_SIZE &&
    isCompressible(rep.contentType);
  const siblings: Partial<Record<ContentCoding, FileInfo>> = {};
  if (negotiable) {
    const folder = segments.slice(0, -1);
    for (const coding of CONTENT_CODINGS) {
      const sibling = ctx.store.stat([...folder, name + SIBLING_SUFFIX[coding]]);
      if (sibling?.isFile && sibling.mtime >= info.mtime) siblings[coding] = sibling;
    }
  }
  const { headers } = planFileResponse("GET", { get: () => null }, rep);
  if (negotiable) headers.push(VARY_ACCEPT_ENCODING);
  return {
    name,
    info,
    bytes,
    headers: Object.fromEntries(headers),
    negotiable,
    siblings,
    coded: {},
  };
}

/**
 * Chooses how to code `file` for `request`: identity for a `Range` (ranges
 * are byte-exact on the file) or when nothing coded is acceptable;
 * otherwise by the client's q-values among the precompressed siblings, the
 * codings of cached bytes (br, zstd, gzip) or, for larger files, gzip on
 * the fly. A sibling that changed since it was found is dropped (with the
 * cache entry) and the choice made again.
 */
export function chooseCoding(
  request: Request,
  ctx: RequestContext,
  file: CachedFile,
): CodingChoice {
  if (!file.negotiable || (request.method === "GET" && request.headers.has("range"))) {
    return IDENTITY;
  }
  const header = request.headers.get("accept-encoding");
  if (header === null) return IDENTITY;
  for (;;) {
    const coding = negotiateEncoding(header, available(file));
    if (coding === null) return IDENTITY;
    const sibling = file.siblings[coding];
    if (sibling === undefined) {
      if (file.bytes === null) return { type: "stream", coding: "gzip" };
      const coded = keptCoded(file, coding, null) ??
        keepCoded(ctx, file, coding, null, compressBytes(file.bytes, coding));
      return { type: "bytes", coding, coded };
    }
    if (!ctx.store.cache.trusted && !matches(sibling, ctx.store.restat(sibling.path))) {
      forgetSibling(ctx, file, coding);
      continue;
    }
    if (file.bytes === null || sibling.size > ctx.store.cache.maxFileSize) {
      return { type: "sibling", coding, info: sibling };
    }
    let coded = keptCoded(file, coding, sibling);
    if (coded === undefined) {
      const bytes = ctx.store.readSame(sibling.path, sibling.ino, sibling.size);
      if (bytes === null || bytes.length !== sibling.size) {
        forgetSibling(ctx, file, coding);
        continue;
      }
      coded = keepCoded(ctx, file, coding, sibling, bytes);
    }
    return { type: "bytes", coding, coded };
  }
}

/**
 * Stops using a sibling that changed since it was found. The cache entry
 * goes too, so the next request looks for siblings again (through the
 * containment checks of a fresh lookup).
 */
function forgetSibling(ctx: RequestContext, file: CachedFile, coding: ContentCoding): void {
  delete file.siblings[coding];
  ctx.store.cache.delete(ctx.url.pathname);
}

/** The codings `file` can be sent in: siblings first, then what Sluice compresses itself. */
function available(file: CachedFile): ContentCoding[] {
  const list = CONTENT_CODINGS.filter((c) => file.siblings[c] !== undefined);
  if (file.bytes !== null) {
    for (const c of CONTENT_CODINGS) if (!list.includes(c)) list.push(c);
  } else if (!list.includes("gzip")) {
    list.push("gzip");
  }
  return list;
}

/** The coded bytes kept on `file` for `coding`, if made from `source` (`null`: its own bytes). */
function keptCoded(
  file: CachedFile,
  coding: ContentCoding,
  source: FileInfo | null,
): CodedBytes | undefined {
  const kept = file.coded[coding];
  return kept?.source === source ? kept : undefined;
}

/** Keeps `bytes` on `file` as its `coding` variant, with the headers of a plain 200. */
function keepCoded(
  ctx: RequestContext,
  file: CachedFile,
  coding: ContentCoding,
  source: FileInfo | null,
  bytes: Uint8Array<ArrayBuffer>,
): CodedBytes {
  const coded: CodedBytes = { bytes, headers: {}, source };
  const identity = fileRepresentation(file.name, file.info);
  const rep = codedRepresentation(identity, { type: "bytes", coding, coded });
  const plan = planFileResponse("GET", { get: () => null }, rep);
  coded.headers = Object.fromEntries(codedHeaders(plan.headers, coding, false));
  ctx.store.cache.addCoded(ctx.url.pathname, file, coding, coded);
  return coded;
}

/**
 * The representation a coded choice sends: its own entity-tag (the
 * identity tag suffixed with the coding; weak when gzipped on the fly, as
 * nginx does; from the sibling's own tag for a precompressed file), and
 * its own length and date where they differ.
 */
export function codedRepresentation(
  identity: Representation,
  choice: Exclude<CodingChoice, { type: "identity" }>,
): Representation {
  switch (choice.type) {
    case "bytes": {
      const source = choice.coded.source;
      return {
        ...identity,
        etag: codedEtag(source === null ? identity.etag : makeEtag(source), choice.coding),
        lastModified: source?.mtime ?? identity.lastModified,
        size: choice.coded.bytes.length,
      };
    }
    case "sibling":
      return {
        ...identity,
        etag: codedEtag(makeEtag(choice.info), choice.coding),
        lastModified: choice.info.mtime,
        size: choice.info.size,
      };
    case "stream":
      return { ...identity, etag: "W/" + codedEtag(identity.etag, choice.coding) };
  }
}

/**
 * Planned headers turned into those of a coded answer: `Content-Encoding`
 * (not on a `304`) and `Vary` added, no `Accept-Ranges` (ranges are served
 * on the identity bytes only), and no `Content-Length` when the length is
 * not known (`streamed`).
 */
export function codedHeaders(
  planned: readonly [string, string][],
  coding: ContentCoding,
  streamed: boolean,
): [string, string][] {
  const headers = planned.filter(([name]) =>
    name !== "accept-ranges" && !(streamed && name === "content-length")
  );
  // Only a 200 plan has a content type.
  if (planned.some(([name]) => name === "content-type")) headers.push(["content-encoding", coding]);
  headers.push(VARY_ACCEPT_ENCODING);
  return headers;
}
