// The "Shared links" page: lists the caller's shares from /_/api/shares,
// refreshes their use counts every few seconds, and revokes them.

import { el, plainUrl } from "./dom.js";

/** How often use counts are refreshed, in ms. */
const REFRESH_MS = 3000;

/**
 * What a share's row says about its use.
 * @param {{ mode: string, uses: number, downloads: number, files: number, maxDownloads: number | null, maxFiles: number | null }} s
 * @returns {string}
 */
export function usageText(s) {
  if (s.mode === "upload") {
    return `${s.files} file${s.files === 1 ? "" : "s"} received` +
      (s.maxFiles === null ? "" : ` of ${s.maxFiles}`);
  }
  return `${s.downloads} download${s.downloads === 1 ? "" : "s"}` +
    (s.maxDownloads === null ? "" : ` of ${s.maxDownloads}`) +
    `, ${s.uses} request${s.uses === 1 ? "" : "s"}`;
}

/**
 * A share's state in words: what its link answers now.
 * @param {{ expired: boolean, missing: boolean, expires: string }} s
 * @returns {string}
 */
export function expiryText(s) {
  if (s.expired) return "Expired";
  if (s.missing) return "Target moved or deleted";
  return s.expires === "never" ? "Never" : new Date(s.expires).toLocaleString();
}

function main() {
  const body = /** @type {HTMLElement} */ (document.querySelector("#shares tbody"));
  const empty = /** @type {HTMLElement} */ (document.getElementById("shares-empty"));
  const error = /** @type {HTMLElement} */ (document.getElementById("shares-error"));

  /** @param {any} s */
  const row = (s) => {
    const tr = el("tr", { "data-id": s.id });
    const state = s.expired ? "expired" : s.missing ? "missing" : "active";
    tr.dataset.state = state;
    tr.append(
      el("td", { class: "name" }, s.path),
      el("td", {}, s.mode === "upload" ? "Drop box" : s.kind === "file" ? "File" : "Folder"),
      el("td", { class: "share-expiry" }, expiryText(s) + (s.password ? " · password" : "")),
      el("td", { class: "share-uses" }, usageText(s)),
      el("td", {}, s.lastUse === null ? "—" : new Date(s.lastUse).toLocaleString()),
    );
    const actions = el("td", { class: "actions" });
    actions.append(el("button", {
      type: "button",
      class: "row-action revoke",
      "aria-label": `Revoke the link to ${s.path}`,
    }, "Revoke"));
    tr.append(actions);
    return tr;
  };

  /** @type {number | undefined} */
  let timer;
  const refresh = async () => {
    clearTimeout(timer);
    try {
      const res = await fetch(plainUrl("/_/api/shares"), {
        headers: { accept: "application/json" },
        cache: "no-store",
      });
      if (!res.ok) throw new Error(`${res.status}: ${await res.text()}`);
      const shares = await res.json();
      body.replaceChildren(...shares.map(row));
      empty.hidden = shares.length > 0;
      error.textContent = "";
    } catch (e) {
      error.textContent = `Could not load your links (${e instanceof Error ? e.message : e}).`;
    }
    timer = setTimeout(refresh, REFRESH_MS);
  };

  body.addEventListener("click", async (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest("button.revoke");
    if (!button) return;
    const tr = /** @type {HTMLElement} */ (button.closest("tr"));
    const res = await fetch(plainUrl(`/_/api/shares/${tr.dataset.id}`), { method: "DELETE" });
    await res.body?.cancel();
    if (res.status === 204 || res.status === 404) {
      tr.remove();
      empty.hidden = body.children.length > 0;
    } else {
      error.textContent = `Not revoked (${res.status}).`;
    }
  });
  refresh();
}

main();
