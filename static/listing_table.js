// The listing table: client-side sorting, filtering, relative dates and
// reconciling rows with a fresh JSON listing (for live updates).

import { fileKind } from "./file_kind.js";
import { humanSize, relativeTime } from "./format.js";
import { pathHref } from "./dom.js";

/** @typedef {{ key: "name" | "size" | "mtime", order: "asc" | "desc" }} Sort */
/** @typedef {{ name: string, type: "dir" | "file", size: number, mtime: string, href: string }} JsonEntry */

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/**
 * Reads the order the server rendered from the URL, like parseListingSort().
 * @param {URLSearchParams} params
 * @returns {Sort}
 */
export function sortFromParams(params) {
  const raw = params.get("sort");
  const key = raw === "size" || raw === "mtime" ? raw : "name";
  const order = params.get("order");
  if (order === "asc" || order === "desc") return { key, order };
  return { key, order: key === "name" ? "asc" : "desc" };
}

/**
 * Folders first, then by the sort key, ties by name — like sortEntries().
 * @param {HTMLTableRowElement} a
 * @param {HTMLTableRowElement} b
 * @param {Sort} sort
 */
function compareRows(a, b, sort) {
  const dirA = a.dataset.kind === "dir";
  const dirB = b.dataset.kind === "dir";
  if (dirA !== dirB) return dirA ? -1 : 1;
  const byName = collator.compare(a.dataset.name ?? "", b.dataset.name ?? "");
  // Folder sizes mean nothing to people: for "size", folders stay A to Z.
  if (sort.key === "size" && dirA) return byName;
  let byKey = 0;
  if (sort.key === "size") byKey = Number(a.dataset.size) - Number(b.dataset.size);
  if (sort.key === "mtime") byKey = Number(a.dataset.mtime) - Number(b.dataset.mtime);
  const sign = sort.order === "asc" ? 1 : -1;
  return sign * (byKey || byName);
}

/**
 * Shows a `<time>` as "5 minutes ago" with the full local date as a tooltip.
 * @param {HTMLTimeElement} time
 * @param {number} now
 */
function showRelative(time, now) {
  const when = Date.parse(time.dateTime);
  if (Number.isNaN(when)) return;
  time.textContent = relativeTime(when, now);
  time.title = new Date(when).toLocaleString();
}

/**
 * Builds a row like the server's renderRow().
 * @param {JsonEntry} entry
 * @returns {HTMLTableRowElement}
 */
function createRow(entry) {
  const isDir = entry.type === "dir";
  const tr = document.createElement("tr");
  const kind = fileKind(entry.name, isDir);
  tr.dataset.name = entry.name;
  tr.dataset.kind = kind;
  const name = tr.insertCell();
  name.className = "name";
  const link = document.createElement("a");
  link.className = `entry kind-${kind}`;
  // A name, or in search results a path below this folder.
  link.href = pathHref(entry.name, isDir);
  link.textContent = entry.name + (isDir ? "/" : "");
  name.append(link);
  tr.insertCell().className = "size";
  const mtime = tr.insertCell();
  mtime.className = "mtime";
  mtime.append(document.createElement("time"));
  const actions = tr.insertCell();
  actions.className = "actions";
  if (!isDir) {
    const download = document.createElement("a");
    download.className = "download";
    download.href = link.getAttribute("href") + "?download";
    download.title = "Download";
    download.setAttribute("aria-label", `Download ${entry.name}`);
    download.textContent = "Download";
    actions.append(download);
  }
  return tr;
}

/**
 * Updates the data and cells of a row from a JSON entry.
 * @param {HTMLTableRowElement} tr
 * @param {JsonEntry} entry
 * @param {number} now
 */
function updateRow(tr, entry, now) {
  const isDir = entry.type === "dir";
  const mtime = Date.parse(entry.mtime);
  tr.dataset.size = String(isDir ? -1 : entry.size);
  tr.dataset.mtime = String(mtime);
  const size = /** @type {HTMLElement} */ (tr.querySelector(".size"));
  size.textContent = isDir ? "—" : humanSize(entry.size);
  const time = /** @type {HTMLTimeElement} */ (tr.querySelector("time"));
  time.dateTime = new Date(mtime).toISOString();
  showRelative(time, now);
}

/**
 * Enhances the server-rendered table.
 * @param {HTMLTableElement} table
 * @param {{ count: HTMLElement, empty: HTMLElement | null }} ui
 */
export function enhanceTable(table, ui) {
  const tbody = table.tBodies[0];
  let sort = sortFromParams(new URLSearchParams(location.search));
  let filter = "";

  /** @returns {HTMLTableRowElement[]} */
  const entryRows =
    () => /** @type {HTMLTableRowElement[]} */ ([...tbody.rows].filter((r) =>
      r.dataset.name !== undefined
    ));

  function refreshDates() {
    const now = Date.now();
    for (const time of tbody.querySelectorAll("td.mtime time")) {
      showRelative(/** @type {HTMLTimeElement} */ (time), now);
    }
  }

  function applySort() {
    const rows = entryRows().sort((a, b) => compareRows(a, b, sort));
    // Moving a row drops the focus of a button in it: give it back.
    const focused = document.activeElement;
    tbody.append(...rows);
    if (
      focused instanceof HTMLElement && focused !== document.activeElement && focused.isConnected
    ) {
      focused.focus();
    }
    for (const th of table.tHead?.rows[0].cells ?? []) {
      const link = /** @type {HTMLAnchorElement | null} */ (th.querySelector("a.sort"));
      if (!link) continue;
      const key = /** @type {Sort["key"]} */ (link.dataset.key);
      const active = key === sort.key;
      th.setAttribute(
        "aria-sort",
        active ? (sort.order === "asc" ? "ascending" : "descending") : "none",
      );
      const next = active
        ? (sort.order === "asc" ? "desc" : "asc")
        : (key === "name" ? "asc" : "desc");
      // Keeps the other parameters (a search's `q`).
      const params = new URLSearchParams(location.search);
      params.set("sort", key);
      params.set("order", next);
      link.href = `?${params}`;
    }
  }

  function applyFilter() {
    const needle = filter.trim().toLocaleLowerCase();
    const rows = entryRows();
    let shown = 0;
    for (const row of rows) {
      const match = needle === "" ||
        (row.dataset.name ?? "").toLocaleLowerCase().includes(needle);
      row.hidden = !match;
      if (match) shown++;
    }
    const noun = rows.length === 1 ? "item" : "items";
    ui.count.textContent = needle === ""
      ? `${rows.length} ${noun}`
      : `${shown} of ${rows.length} ${noun}`;
    if (ui.empty) {
      ui.empty.hidden = shown > 0;
      ui.empty.textContent = rows.length === 0
        ? "This folder is empty."
        : "No names match the filter.";
    }
  }

  table.tHead?.addEventListener("click", (event) => {
    const link = /** @type {HTMLElement} */ (event.target).closest("a.sort");
    if (!(link instanceof HTMLAnchorElement)) return;
    event.preventDefault();
    const key = /** @type {Sort["key"]} */ (link.dataset.key);
    sort = key === sort.key
      ? { key, order: sort.order === "asc" ? "desc" : "asc" }
      : { key, order: key === "name" ? "asc" : "desc" };
    applySort();
    const url = new URL(location.href);
    url.searchParams.set("sort", sort.key);
    url.searchParams.set("order", sort.order);
    history.replaceState(history.state, "", url);
  });

  refreshDates();
  applyFilter();
  setInterval(refreshDates, 60_000);

  return {
    /** @param {string} text */
    setFilter(text) {
      filter = text;
      applyFilter();
    },
    /**
     * Makes the table match a fresh listing: updates, adds and removes rows.
     * @param {JsonEntry[]} entries
     * @returns {string[]} names of the rows that were added
     */
    reconcile(entries) {
      const now = Date.now();
      const existing = new Map(entryRows().map((r) => [r.dataset.name, r]));
      const added = [];
      for (const entry of entries) {
        let row = existing.get(entry.name);
        existing.delete(entry.name);
        if (row && (row.dataset.kind === "dir") !== (entry.type === "dir")) {
          row.remove();
          row = undefined;
        }
        if (!row) {
          row = createRow(entry);
          row.classList.add("fresh");
          tbody.append(row);
          added.push(entry.name);
        }
        updateRow(row, entry, now);
      }
      for (const gone of existing.values()) gone.remove();
      applySort();
      applyFilter();
      return added;
    },
  };
}
