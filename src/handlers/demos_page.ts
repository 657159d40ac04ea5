import type { Handler } from "../context.ts";
import { staticPage } from "./static_page.ts";

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
  const page = {
    title: "Stream demos",
    href: "/_/",
    bodyClass: "demos-page",
    styles: ["style.css"],
    script: "demos.js",
  };
  if (!chat) return staticPage(path, page);
  return staticPage(path, page, (html) => {
    if (!html.includes(HIDDEN_MODES)) throw new Error(`${path} lacks${HIDDEN_MODES}`);
    return html.replace(HIDDEN_MODES, ' id="tokens-mode">');
  });
}
