import type { Handler } from "../context.ts";
import { makeEtag } from "../http/etag.ts";
import { HttpError } from "../http/http_error.ts";
import { planFileResponse } from "../http/plan_file_response.ts";
import { UI_HEADERS } from "../http/ui_headers.ts";

/** The token panel's source choice, hidden in `demos.html` until a model is relayed. */
const HIDDEN_MODES = ' id="tokens-mode" hidden>';

/**
 * `GET /_/`: the stream demos page, `static/demos.html`, read once when the
 * routes are built, answered with the UI's strict headers and revalidated
 * through its ETag. With `chat` (`--llm-url`) the token panel's "Model"
 * choice is shown: decided here, so the page needs no probe request.
 */
export function demosPage(staticDir: string, chat = false): Handler {
  const path = `${staticDir}/demos.html`;
  let bytes = Deno.readFileSync(path);
  if (chat) {
    const html = new TextDecoder().decode(bytes);
    if (!html.includes(HIDDEN_MODES)) throw new Error(`${path} lacks${HIDDEN_MODES}`);
    bytes = new TextEncoder().encode(html.replace(HIDDEN_MODES, ' id="tokens-mode">'));
  }
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
