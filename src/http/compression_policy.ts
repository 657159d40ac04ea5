import type { ContentCoding } from "./accept_encoding.ts";

/** Bodies smaller than this are sent as they are: coding them saves too little. */
export const MIN_COMPRESS_SIZE = 1024;

/**
 * Text-like media types worth compressing: text (but not SSE), JSON, XML,
 * JavaScript, SVG and WebAssembly, with their `+json` / `+xml` relatives.
 * Video, audio, images, archives and fonts like woff2 are compressed already.
 */
const COMPRESSIBLE =
  /^(?:text\/(?!event-stream)|application\/(?:json|javascript|ecmascript|xml|wasm|x-ndjson|manifest\+json|[\w.+-]+\+(?:json|xml))(?:$|[\s;])|image\/svg\+xml)/i;

/**
 * Whether a `Content-Type` names a type worth compressing.
 *
 * @example
 * ```ts
 * isCompressible("text/css; charset=utf-8"); // true
 * isCompressible("video/mp4"); // false
 * ```
 */
export function isCompressible(contentType: string): boolean {
  return COMPRESSIBLE.test(contentType);
}

/** What a precompressed sibling of `file` is called: `file.br`, `file.zst`, `file.gz`. */
export const SIBLING_SUFFIX: Readonly<Record<ContentCoding, string>> = {
  br: ".br",
  zstd: ".zst",
  gzip: ".gz",
};

/**
 * The entity-tag of a coded representation: the identity tag with the
 * coding inside the quotes, so no cache ever mixes codings (RFC 9110
 * §8.8.3.3); weak stays weak.
 *
 * @example
 * ```ts
 * codedEtag('"1k-6a"', "gzip"); // '"1k-6a-gzip"'
 * codedEtag('W/"1k-6a"', "br"); // 'W/"1k-6a-br"'
 * ```
 */
export function codedEtag(etag: string, coding: ContentCoding): string {
  return `${etag.slice(0, -1)}-${coding}"`;
}
