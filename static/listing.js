// Enhances the server-rendered listing: filter, sorting without reloads,
// relative dates, live updates, previews and (in write mode) uploads.

import { el, plainUrl } from "./dom.js";
import { enhanceTable } from "./listing_table.js";
import { watchFolder } from "./live_feed.js";
import { initManage } from "./manage.js";
import { initPreview } from "./preview.js";
import { initShare } from "./share.js";
import { initUpload } from "./upload.js";

const STATUS_TEXT = { live: "Live", reconnecting: "Reconnecting…", off: "Offline" };

function main() {
  const table = /** @type {HTMLTableElement | null} */ (document.getElementById("listing"));
  const toolbar = document.getElementById("toolbar");
  if (!table || !toolbar) return;

  const label = el("label", { for: "filter" }, "Filter");
  const filter = /** @type {HTMLInputElement} */ (el("input", {
    type: "search",
    id: "filter",
    placeholder: "Type to filter by name ( / )",
    autocomplete: "off",
    spellcheck: "false",
  }));
  const count = el("span", { class: "count", id: "count", "aria-live": "polite" });
  const live = el("span", { class: "live", id: "live-status", "data-status": "off" }, "Offline");
  live.title = "Changes by anyone appear here without reloading";
  toolbar.append(label, filter, count, live);

  const controller = enhanceTable(table, { count, empty: document.getElementById("empty") });
  filter.addEventListener("input", () => controller.setFilter(filter.value));
  document.addEventListener("keydown", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (event.key !== "/" || target.matches("input, textarea, select, [contenteditable]")) return;
    event.preventDefault();
    filter.focus();
  });

  const upload = document.getElementById("upload");
  const writable = document.body.dataset.writable === "true";
  /** @type {{ decorate: () => void } | null} */
  let manage = null;

  let refreshing = Promise.resolve();
  /** @type {number | undefined} */
  let retry;
  /** The live feed's state, shown again once a note ("removed", "catching up") is over. */
  /** @type {keyof typeof STATUS_TEXT} */
  let status = "off";
  const refresh = () => {
    clearTimeout(retry);
    refreshing = refreshing.then(async () => {
      // The folder's listing, or the same search again on a results page.
      const res = await fetch(plainUrl(location.pathname + location.search), {
        headers: { accept: "application/json" },
        cache: "no-store",
      });
      if (res.status === 404) {
        await res.body?.cancel();
        // Nothing listed is there any more: no rows with buttons that would fail.
        controller.reconcile([]);
        live.textContent = "This folder was removed";
        return;
      }
      if (!res.ok) throw new Error(`${res.status}`);
      controller.reconcile(await res.json());
      manage?.decorate();
      share?.decorate();
      live.textContent = STATUS_TEXT[status];
    }).catch(() => {
      // The change is known but the listing could not be fetched: try again.
      live.textContent = "Catching up…";
      retry = setTimeout(refresh, 3000);
    });
  };

  // Through a share link there is no change feed to follow (it covers all of ROOT).
  if (document.body.dataset.shared !== "true") {
    const dir = decodeURIComponent(location.pathname).replace(/^\/+/, "");
    watchFolder(dir, refresh, (next) => {
      status = next;
      live.dataset.status = next;
      live.textContent = STATUS_TEXT[next];
    });
  } else {
    live.hidden = true;
  }

  initPreview(table);
  /** @type {{ decorate: () => void } | null} */
  const share = document.body.dataset.canShare === "true" ? initShare(table, toolbar) : null;
  if (upload && writable) {
    manage = initManage(table, upload, { dirHref: location.pathname, onChanged: refresh });
    initUpload(upload, { dirHref: location.pathname, onUploaded: refresh });
  }
}

main();
