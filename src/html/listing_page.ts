import type { DirEntry } from "../fs/file_store.ts";
import { escapeHtml } from "./escape_html.ts";
import { renderPageHead } from "./page_head.ts";
import { renderTopBar } from "./top_bar.ts";
import { fileKind } from "./file_kind.ts";
import { humanSize } from "../../static/format.js";
import { pathHref } from "../../static/dom.js";

/** A column the listing can be sorted by. */
export type SortKey = "name" | "size" | "mtime";

/** How the listing is ordered; folders always come first. */
export interface ListingSort {
  key: SortKey;
  order: "asc" | "desc";
}

/** Name, ascending: the order when the URL asks for none. */
export const DEFAULT_SORT: ListingSort = { key: "name", order: "asc" };

/** What the listing page shows. */
export interface ListingModel {
  /** Decoded path segments of the directory. */
  segments: string[];
  entries: DirEntry[];
  /** Whether uploads are enabled for this client. */
  writable: boolean;
  version: string;
  /** Initial order; the same `?sort=&order=` links work without JavaScript. */
  sort?: ListingSort;
  /** Set on a search results page (`?q=`): entries are named by their path below the folder. */
  search?: { query: string; truncated: boolean };
  /**
   * URL path the listing's root is served under: `/_/s/<token>` through a
   * share link (nothing above it is named or linked), absent for ROOT.
   */
  base?: string;
  /** Whether this client may make share links (a "Share" action per row). */
  canShare?: boolean;
}

const SORT_KEYS: readonly SortKey[] = ["name", "size", "mtime"];
const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "size", label: "Size" },
  { key: "mtime", label: "Modified" },
];

/**
 * Reads `?sort=name|size|mtime&order=asc|desc`; anything else falls back to
 * the default (name, ascending; size and date default to descending).
 *
 * @example
 * ```ts
 * parseListingSort(new URLSearchParams("sort=size")); // { key: "size", order: "desc" }
 * ```
 */
export function parseListingSort(params: URLSearchParams): ListingSort {
  const key = SORT_KEYS.find((k) => k === params.get("sort")) ?? DEFAULT_SORT.key;
  const order = params.get("order");
  if (order === "asc" || order === "desc") return { key, order };
  return { key, order: key === "name" ? "asc" : "desc" };
}

/** Folders first, then by `sort` (names compare naturally, case-insensitively; ties by name). */
export function sortEntries(entries: DirEntry[], sort: ListingSort = DEFAULT_SORT): DirEntry[] {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const sign = sort.order === "asc" ? 1 : -1;
  const byKey = (a: DirEntry, b: DirEntry): number => {
    if (sort.key === "size") return a.size - b.size;
    if (sort.key === "mtime") return a.mtime - b.mtime;
    return 0;
  };
  return [...entries].sort((a, b) => {
    const folders = Number(b.isDirectory) - Number(a.isDirectory);
    if (folders !== 0) return folders;
    // Folder sizes mean nothing to people: for "size", folders stay A to Z.
    if (sort.key === "size" && a.isDirectory) return collator.compare(a.name, b.name);
    return sign * (byKey(a, b) || collator.compare(a.name, b.name));
  });
}

function sortHeader(
  column: { key: SortKey; label: string },
  sort: ListingSort,
  query: string,
): string {
  const active = column.key === sort.key;
  const next = active
    ? (sort.order === "asc" ? "desc" : "asc")
    : (column.key === "name" ? "asc" : "desc");
  const ariaSort = active ? (sort.order === "asc" ? "ascending" : "descending") : "none";
  return `<th scope="col" class="col-${column.key}" aria-sort="${ariaSort}">` +
    `<a class="sort" data-key="${column.key}" href="?${query}sort=${column.key}&amp;order=${next}">` +
    `${column.label}</a></th>`;
}

function renderRow(e: DirEntry): string {
  // A name, or in search results a `/`-separated path below the folder.
  const href = pathHref(e.name, e.isDirectory);
  const mtime = new Date(e.mtime).toISOString();
  const kind = fileKind(e.name, e.isDirectory);
  const name = escapeHtml(e.name);
  const download = e.isDirectory ? "" : `<a class="download" href="${escapeHtml(href)}?download" ` +
    `aria-label="Download ${name}" title="Download">Download</a>`;
  return `<tr data-name="${name}" data-kind="${kind}" ` +
    `data-size="${e.isDirectory ? -1 : e.size}" data-mtime="${e.mtime}">` +
    `<td class="name"><a class="entry kind-${kind}" href="${escapeHtml(href)}">${name}${
      e.isDirectory ? "/" : ""
    }</a></td>` +
    `<td class="size">${e.isDirectory ? "—" : humanSize(e.size)}</td>` +
    `<td class="mtime"><time datetime="${mtime}">${
      mtime.slice(0, 16).replace("T", " ")
    } UTC</time></td>` +
    `<td class="actions">${download}</td>` +
    `</tr>`;
}

const UPLOAD_SECTION = `<section class="upload" id="upload" aria-labelledby="upload-title" hidden>
<h2 id="upload-title">Upload</h2>
<div class="dropzone" id="dropzone">
<p>Drop files or folders here, or <button type="button" id="upload-choose">Choose files…</button>
<button type="button" id="upload-choose-folder">Choose a folder…</button></p>
<input type="file" id="upload-input" multiple hidden>
<input type="file" id="upload-folder-input" webkitdirectory hidden>
</div>
<form class="new-folder" id="new-folder" hidden>
<label for="new-folder-name">New folder</label>
<input type="text" id="new-folder-name" name="name" autocomplete="off" placeholder="Folder name" required>
<button type="submit">Create</button>
</form>
<p class="manage-status" id="manage-status" role="status" aria-live="polite"></p>
<ul class="uploads" id="upload-list"></ul>
<button type="button" class="upload-clear" id="upload-clear" hidden>Clear finished</button>
</section>`;

/**
 * Renders a directory listing as a complete HTML page that works without
 * JavaScript (sorting through links, downloads, navigation);
 * `/_/static/listing.js` adds filtering, live updates, previews and uploads.
 */
export function renderListingPage(model: ListingModel): string {
  const { segments } = model;
  const base = model.base ?? "";
  const rootHref = escapeHtml(base + "/");
  const rootLabel = model.base === undefined ? "root" : "shared";
  const sort = model.sort ?? DEFAULT_SORT;
  const title = "/" + segments.map((s) => s + "/").join("");
  const crumbs = [
    segments.length === 0
      ? `<li><a href="${rootHref}" aria-current="page">${rootLabel}</a></li>`
      : `<li><a href="${rootHref}">${rootLabel}</a></li>`,
  ];
  segments.forEach((s, i) => {
    const href = base + "/" + segments.slice(0, i + 1).map(encodeURIComponent).join("/") + "/";
    const current = i === segments.length - 1 ? ` aria-current="page"` : "";
    crumbs.push(`<li><a href="${escapeHtml(href)}"${current}>${escapeHtml(s)}</a></li>`);
  });
  const rows = sortEntries(model.entries, sort).map(renderRow);
  const { search } = model;
  const query = search ? escapeHtml(search.query) : "";
  const heading = search
    ? `Search results for “${query}” in ${escapeHtml(title)}`
    : `Index of ${escapeHtml(title)}`;
  const sortQuery = search ? `q=${escapeHtml(encodeURIComponent(search.query))}&amp;` : "";
  const emptyText = search ? `Nothing here matches “${query}”.` : "This folder is empty.";
  const parent = segments.length > 0
    ? `<tr class="parent" data-kind="up"><td class="name"><a class="entry kind-up" href="../">` +
      `Parent folder</a></td><td></td><td></td><td></td></tr>\n`
    : "";
  const empty = `<p class="empty" id="empty"${
    model.entries.length === 0 ? "" : " hidden"
  }>${emptyText}</p>`;
  const links =
    (model.base === undefined ? `\n<a class="demos-link" href="/_/">Stream demos</a>` : "") +
    (model.canShare ? `\n<a class="shares-link" href="/_/shares">Shared links</a>` : "");
  const head = renderPageHead({
    titleHtml: heading,
    styles: model.canShare ? ["style.css", "share.css"] : ["style.css"],
    script: "listing.js",
  });
  return `${head}
<body class="listing-page" data-writable="${model.writable}"${
    model.base === undefined ? "" : ` data-shared="true"`
  }${model.canShare ? ` data-can-share="true"` : ""}>
${renderTopBar(rootHref, crumbs, links)}
<main>
<h1>${heading}</h1>
<p class="folder-download">Download this folder:
<a href="?download=zip" download>.zip</a>
<a href="?download=tar" download>.tar</a>
<a href="?download=tar.gz" download>.tar.gz</a>
(.zip and .tar downloads resume if cut off)</p>
<form class="search" id="search" role="search">
<label for="search-q">Search</label>
<input type="search" id="search-q" name="q" value="${query}" placeholder="Names in this folder and below">
<button type="submit">Search</button>${search ? `\n<a href="./">Back to the folder</a>` : ""}
</form>${
    search?.truncated
      ? `\n<p class="search-note">Only the first ${
        model.entries.length.toLocaleString("en-US")
      } matches are shown.</p>`
      : ""
  }
<div class="toolbar" id="toolbar"></div>
${model.writable ? UPLOAD_SECTION : ""}
<table class="listing" id="listing">
<thead><tr>${
    COLUMNS.map((c) => sortHeader(c, sort, sortQuery)).join("")
  }<th scope="col" class="col-actions"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>
${parent}${rows.join("\n")}
</tbody>
</table>
${empty}
</main>
<footer>Sluice ${escapeHtml(model.version)}</footer>
</body>
</html>
`;
}
