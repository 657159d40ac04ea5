import type { Handler } from "../context.ts";
import { staticPage } from "./static_page.ts";

/**
 * `GET /_/shares`: the page listing the caller's share links with their
 * use and revoke buttons (`static/shares.html`, which fetches
 * `/_/api/shares`), read once when the routes are built.
 */
export function sharesPage(staticDir: string): Handler {
  return staticPage(`${staticDir}/shares.html`, {
    title: "Shared links",
    href: "/_/shares",
    bodyClass: "shares-page",
    styles: ["style.css", "share.css"],
    script: "shares.js",
  });
}
