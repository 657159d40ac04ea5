/**
 * The bar at the top of every UI page: the brand linking to `rootHref`,
 * then the breadcrumbs (`<li>` items, already HTML), then `links` (HTML),
 * if any.
 *
 * @example
 * ```ts
 * renderTopBar("/", [`<li><a href="/" aria-current="page">root</a></li>`]);
 * ```
 */
export function renderTopBar(rootHref: string, crumbs: string[], links = ""): string {
  return `<header class="top">
<a class="brand" href="${rootHref}">Sluice</a>
<nav class="crumbs" aria-label="Breadcrumbs"><ol>${crumbs.join("")}</ol></nav>${links}
</header>`;
}
