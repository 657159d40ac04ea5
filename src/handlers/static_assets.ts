import type { Handler } from "../context.ts";
import { CONTENT_CODINGS, type ContentCoding, negotiateEncoding } from "../http/accept_encoding.ts";
import { compressBytes } from "../http/compress_bytes.ts";
import { codedEtag, isCompressible, MIN_COMPRESS_SIZE } from "../http/compression_policy.ts";
import { makeEtag } from "../http/etag.ts";
import { HttpError } from "../http/http_error.ts";
import { contentType } from "../http/media_type.ts";
import { planFileResponse } from "../http/plan_file_response.ts";
import { UI_HEADERS } from "../http/ui_headers.ts";

interface Asset {
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
  mtime: number;
  type: string;
  /** Whether answers depend on `Accept-Encoding` (compressible, at least 1 KiB). */
  compressible: boolean;
  /** Coded variants, made on first request. */
  coded: Partial<Record<ContentCoding, Uint8Array<ArrayBuffer>>>;
}

/** URL prefix of the UI's assets. */
export const STATIC_PREFIX = "/_/static/";

/**
 * Loads every file of the `static/` folder into memory once (they are
 * small) so the UI works the same from a checkout or a compiled binary.
 */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.isFile || entry.name.startsWith(".")) continue;
    const path = `${dir}/${entry.name}`;
    const stat = Deno.statSync(path);
    const bytes = Deno.readFileSync(path);
    const mtime = stat.mtime?.getTime() ?? 0;
    const type = contentType(entry.name);
    assets.set(entry.name, {
      bytes,
      etag: makeEtag({ size: bytes.length, mtime }),
      mtime,
      type,
      compressible: bytes.length >= MIN_COMPRESS_SIZE && isCompressible(type),
      coded: {},
    });
  }
  return assets;
}

/**
 * Serves `/_/static/<name>` from the preloaded assets with ETags and a day
 * of caching; ranges are ignored. Text assets of 1 KiB or more go out
 * compressed (br, zstd or gzip, each made once) to clients that accept it.
 */
export function staticAssets(assets: Map<string, Asset>): Handler {
  return (request, ctx) => {
    const name = ctx.url.pathname.slice(STATIC_PREFIX.length);
    const asset = assets.get(name);
    if (!asset) throw new HttpError(404, "Not found");
    const negotiable = asset.compressible && ctx.config.compress;
    const coding = negotiable
      ? negotiateEncoding(request.headers.get("accept-encoding"), CONTENT_CODINGS)
      : null;
    const bytes = coding === null
      ? asset.bytes
      : (asset.coded[coding] ??= compressBytes(asset.bytes, coding));
    // Assets are small: answer ranges with the whole asset.
    const conditional = { get: (n: string) => n === "range" ? null : request.headers.get(n) };
    const plan = planFileResponse(request.method, conditional, {
      etag: coding === null ? asset.etag : codedEtag(asset.etag, coding),
      lastModified: asset.mtime,
      size: bytes.length,
      contentType: asset.type,
      cacheControl: "public, max-age=86400",
    });
    const headers = new Headers(plan.headers);
    if (negotiable) headers.set("vary", "Accept-Encoding");
    if (coding !== null) headers.delete("accept-ranges");
    if (coding !== null && plan.status === 200) headers.set("content-encoding", coding);
    if (asset.type.startsWith("text/html")) {
      for (const [k, v] of Object.entries(UI_HEADERS)) headers.set(k, v);
    }
    if (plan.status === 412) throw new HttpError(412, "Precondition failed");
    const body = plan.body.type === "full" ? bytes : null;
    return new Response(body, { status: plan.status, headers });
  };
}
