import type { Handler } from "../context.ts";
import { makeEtag } from "../http/etag.ts";
import { HttpError } from "../http/http_error.ts";
import { planFileResponse } from "../http/plan_file_response.ts";
import { UI_HEADERS } from "../http/ui_headers.ts";

/**
 * `GET /_/shares`: the page listing the caller's share links with their
 * use and revoke buttons (`static/shares.html`, which fetches
 * `/_/api/shares`), read once when the routes are built.
 */
export function sharesPage(staticDir: string): Handler {
  const path = `${staticDir}/shares.html`;
  const bytes = Deno.readFileSync(path);
  const mtime = Deno.statSync(path).mtime?.getTime() ?? 0;
  const etag = makeEtag({ size: bytes.length, mtime });
  return (request) => {
    const conditional = { get: (n: string) => n === "range" ? null : request.headers.get(n) };
    const plan = planFileResponse(request.method, conditional, {
      etag,
      lastModified: mtime,
      size: bytes.length,
      contentType: "text/html; charset=utf-8",
    });
    if (plan.status === 412) throw new HttpError(412, "Precondition failed");
    const headers = new Headers(plan.headers);
    for (const [k, v] of Object.entries(UI_HEADERS)) headers.set(k, v);
    return new Response(plan.body.type === "full" ? bytes : null, {
      status: plan.status,
      headers,
    });
  };
}
