import type { RequestContext } from "../context.ts";
import { negotiateEncoding } from "../http/accept_encoding.ts";
import { MIN_COMPRESS_SIZE } from "../http/compression_policy.ts";
import { gzipBytes } from "../streams/gzip_stream.ts";

const encoder = new TextEncoder();

/**
 * A generated text response (a listing page or its JSON) with an exact
 * `Content-Length`, so HEAD carries the same headers as GET (Deno would
 * otherwise send `content-length: 0` for HEAD). From 1 KiB on it is gzipped
 * for clients that accept gzip, off the event loop (a listing can be large);
 * with compression on, every such answer says `Vary: Accept-Encoding`.
 * `headers` must name the type; a `vary` in it is extended.
 */
export async function textBodyResponse(
  request: Request,
  ctx: RequestContext,
  text: string,
  headers: Record<string, string>,
): Promise<Response> {
  let bytes = encoder.encode(text);
  const out = new Headers(headers);
  if (ctx.config.compress) {
    out.append("vary", "Accept-Encoding");
    const accepted = bytes.length >= MIN_COMPRESS_SIZE &&
      negotiateEncoding(request.headers.get("accept-encoding"), ["gzip"]) === "gzip";
    if (accepted) {
      bytes = await gzipBytes(bytes);
      out.set("content-encoding", "gzip");
    }
  }
  out.set("content-length", String(bytes.length));
  return new Response(request.method === "HEAD" ? null : bytes, { headers: out });
}
