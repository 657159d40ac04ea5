import type { Handler } from "../context.ts";
import { makeEtag } from "../http/etag.ts";
import { HttpError } from "../http/http_error.ts";
import { planFileResponse } from "../http/plan_file_response.ts";
import { UI_HEADERS } from "../http/ui_headers.ts";
import { renderUiPage, type UiPage } from "../html/ui_page.ts";

/**
 * Answers `GET` and `HEAD` with a UI page whose content is the template at
 * `path` in `static/` (changed by `edit`, when given) inside the common
 * head and top bar (see `renderUiPage()`), made once when the routes are
 * built; with the UI's strict headers, revalidated through its ETag;
 * `Range` is ignored.
 *
 * @example
 * ```ts
 * const page = { title: "Shared links", href: "/_/shares", bodyClass: "shares-page" };
 * staticPage(`${staticDir}/shares.html`, { ...page, styles: ["style.css"], script: "shares.js" });
 * ```
 */
export function staticPage(
  path: string,
  page: UiPage,
  edit: (html: string) => string = (html) => html,
): Handler {
  const content = edit(Deno.readTextFileSync(path));
  const bytes = new TextEncoder().encode(renderUiPage(page, content));
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
