import type { Handler } from "../context.ts";
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
    assets.set(entry.name, {
      bytes,
      etag: makeEtag({ size: bytes.length, mtime }),
      mtime,
      type: contentType(entry.name),
    });
  }
  return assets;
}

/** Serves `/_/static/<name>` from the preloaded assets with ETags and a day of caching; ranges are ignored. */
export function staticAssets(assets: Map<string, Asset>): Handler {
  return (request, ctx) => {
    const name = ctx.url.pathname.slice(STATIC_PREFIX.length);
    const asset = assets.get(name);
    if (!asset) throw new HttpError(404, "Not found");
    // Assets are small: answer ranges with the whole asset.
    const conditional = { get: (n: string) => n === "range" ? null : request.headers.get(n) };
    const plan = planFileResponse(request.method, conditional, {
      etag: asset.etag,
      lastModified: asset.mtime,
      size: asset.bytes.length,
      contentType: asset.type,
      cacheControl: "public, max-age=86400",
    });
    const headers = new Headers(plan.headers);
    if (asset.type.startsWith("text/html")) {
      for (const [k, v] of Object.entries(UI_HEADERS)) headers.set(k, v);
    }
    if (plan.status === 412) throw new HttpError(412, "Precondition failed");
    const body = plan.body.type === "full" ? asset.bytes : null;
    return new Response(body, { status: plan.status, headers });
  };
}
