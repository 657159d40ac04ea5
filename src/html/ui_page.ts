import { escapeHtml } from "./escape_html.ts";
import { renderPageHead } from "./page_head.ts";
import { renderTopBar } from "./top_bar.ts";

/** A UI page one step below the root whose content is a template in `static/`. */
export interface UiPage {
  /** Its name: the title and the breadcrumb after "root". */
  title: string;
  /** Its URL path, where that breadcrumb links. */
  href: string;
  bodyClass: string;
  /** Stylesheets in `static/`, in order. */
  styles: string[];
  /** The module script in `static/` that runs the page. */
  script: string;
}

/**
 * A whole UI page: the common head, the top bar with the breadcrumbs
 * "root / <title>", then `content` (the page's `<main>` and what follows).
 *
 * @example
 * ```ts
 * const page = { title: "Shared links", href: "/_/shares", bodyClass: "shares-page" };
 * renderUiPage({ ...page, styles: ["style.css"], script: "shares.js" }, "<main>…</main>\n");
 * ```
 */
export function renderUiPage(page: UiPage, content: string): string {
  const title = escapeHtml(page.title);
  const crumbs = [
    `<li><a href="/">root</a></li>`,
    `<li><a href="${escapeHtml(page.href)}" aria-current="page">${title}</a></li>`,
  ];
  return `${renderPageHead({ titleHtml: title, styles: page.styles, script: page.script })}
<body class="${escapeHtml(page.bodyClass)}">
${renderTopBar("/", crumbs)}
${content}</body>
</html>
`;
}
