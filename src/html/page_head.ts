/** What the `<head>` of a server-rendered UI page names. */
export interface PageHead {
  /** The page's own title, already HTML-escaped; " · Sluice" follows it. */
  titleHtml: string;
  /** Stylesheets in `static/`, in order. */
  styles: string[];
  /** The module script in `static/` that enhances the page, if any. */
  script?: string;
}

/**
 * The start of a UI page up to and including `</head>`: the doctype, the
 * metadata every page carries, the favicon, then the page's stylesheets and
 * script from `/_/static/`.
 *
 * @example
 * ```ts
 * renderPageHead({ titleHtml: "Drop box", styles: ["style.css"], script: "dropbox.js" });
 * // "<!doctype html>\n<html lang=\"en\">\n<head>\n…\n</head>"
 * ```
 */
export function renderPageHead(head: PageHead): string {
  return [
    `<!doctype html>`,
    `<html lang="en">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta name="color-scheme" content="light dark">`,
    `<title>${head.titleHtml} · Sluice</title>`,
    `<link rel="icon" href="/_/static/favicon.svg" type="image/svg+xml">`,
    ...head.styles.map((name) => `<link rel="stylesheet" href="/_/static/${name}">`),
    ...head.script ? [`<script type="module" src="/_/static/${head.script}"></script>`] : [],
    `</head>`,
  ].join("\n");
}
