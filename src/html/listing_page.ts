import type { DirEntry } from "../fs/file_store.ts";
import { escapeHtml } from "./escape_html.ts";
import { humanSize } from "./format.ts";

/** What the listing page shows. */
export interface ListingModel {
  /** Decoded path segments of the directory. */
  segments: string[];
  entries: DirEntry[];
  /** Whether uploads are enabled for this client. */
  writable: boolean;
  version: string;
}

/** Folders first, then by name (natural, case-insensitive). */
export function sortEntries(entries: DirEntry[]): DirEntry[] {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  return [...entries].sort((a, b) =>
    Number(b.isDirectory) - Number(a.isDirectory) || collator.compare(a.name, b.name)
  );
}

/**
 * Renders a directory listing as a complete HTML page that works without
 * JavaScript; `/_/static/listing.js` enhances it when scripts run.
 */
export function renderListingPage(model: ListingModel): string {
  const { segments } = model;
  const title = "/" + segments.map((s) => s + "/").join("");
  const crumbs = [`<a href="/">root</a>`];
  segments.forEach((s, i) => {
    const href = "/" + segments.slice(0, i + 1).map(encodeURIComponent).join("/") + "/";
    crumbs.push(`<a href="${escapeHtml(href)}">${escapeHtml(s)}</a>`);
  });
  const rows = sortEntries(model.entries).map((e) => {
    const href = encodeURIComponent(e.name) + (e.isDirectory ? "/" : "");
    const mtime = new Date(e.mtime).toISOString();
    return `<tr data-name="${escapeHtml(e.name)}" data-type="${e.isDirectory ? "dir" : "file"}" ` +
      `data-size="${e.isDirectory ? -1 : e.size}" data-mtime="${e.mtime}">` +
      `<td class="name"><a href="${escapeHtml(href)}">${escapeHtml(e.name)}${
        e.isDirectory ? "/" : ""
      }</a></td>` +
      `<td class="size">${e.isDirectory ? "—" : humanSize(e.size)}</td>` +
      `<td class="mtime"><time datetime="${mtime}">${
        mtime.slice(0, 16).replace("T", " ")
      }</time></td>` +
      `</tr>`;
  });
  const parent = segments.length > 0
    ? `<tr class="parent"><td class="name"><a href="../">../</a></td><td></td><td></td></tr>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Index of ${escapeHtml(title)}</title>
<link rel="stylesheet" href="/_/static/style.css">
<script type="module" src="/_/static/listing.js"></script>
</head>
<body data-writable="${model.writable}">
<header>
<nav class="crumbs" aria-label="Breadcrumbs">${crumbs.join(" / ")}</nav>
</header>
<main>
<h1>Index of ${escapeHtml(title)}</h1>
<table class="listing">
<thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Modified</th></tr></thead>
<tbody>
${parent}${rows.join("\n")}
</tbody>
</table>
</main>
<footer>Sluice ${escapeHtml(model.version)}</footer>
</body>
</html>
`;
}
