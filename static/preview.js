// A preview dialog for videos, audio, images and text; links keep working
// as plain links (new tab, download, no JavaScript).

import { el, plainUrl } from "./dom.js";

const PREVIEWABLE = new Set(["video", "audio", "image", "text", "code"]);
const TEXT_LIMIT = 256 * 1024;

/**
 * Shows the first 256 KiB of a text file.
 * @param {HTMLElement} body
 * @param {string} href
 * @param {AbortSignal} signal
 */
async function showText(body, href, signal) {
  const pre = el("pre", { class: "text-preview", tabindex: "0", "aria-label": "File content" });
  body.append(pre);
  try {
    const res = await fetch(plainUrl(href), {
      headers: { range: `bytes=0-${TEXT_LIMIT - 1}` },
      signal,
    });
    // 416: the file is empty, so no range of it exists.
    if (res.status === 416) {
      await res.body?.cancel();
      pre.textContent = "";
      body.append(el("p", { class: "note" }, "This file is empty."));
      return;
    }
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
    pre.textContent = new TextDecoder().decode(await res.arrayBuffer());
    const total = Number(res.headers.get("content-range")?.split("/")[1]);
    if (res.status === 206 && total > TEXT_LIMIT) {
      body.append(el("p", { class: "note" }, "Showing the first 256 KiB. Download for the rest."));
    }
  } catch (error) {
    if (signal.aborted) return;
    pre.textContent = `Could not load the file: ${/** @type {Error} */ (error).message}`;
  }
}

/**
 * Adds the dialog and opens it when a previewable entry is clicked.
 * @param {HTMLTableElement} table
 */
export function initPreview(table) {
  const dialog = /** @type {HTMLDialogElement} */ (el("dialog", {
    class: "preview",
    id: "preview",
    "aria-labelledby": "preview-title",
  }));
  const title = el("h2", { id: "preview-title" });
  const open = el("a", { class: "button", target: "_blank", rel: "noopener" }, "Open");
  const download = el("a", { class: "button" }, "Download");
  const prev = el("button", { type: "button", "aria-label": "Previous file" }, "‹");
  const next = el("button", { type: "button", "aria-label": "Next file" }, "›");
  const close = el(
    "button",
    { type: "button", class: "close", "aria-label": "Close preview" },
    "✕",
  );
  const actions = el("div", { class: "preview-actions" });
  actions.append(prev, next, open, download, close);
  const header = el("header");
  header.append(title, actions);
  const body = el("div", { class: "preview-body" });
  const inner = el("div", { class: "preview-inner" });
  inner.append(header, body);
  dialog.append(inner);
  document.body.append(dialog);

  /** @type {AbortController | null} */
  let loading = null;
  /** @type {HTMLTableRowElement | null} */
  let current = null;

  function clear() {
    loading?.abort();
    loading = null;
    // Stop media downloads: a removed src alone keeps the connection open.
    for (const media of body.querySelectorAll("video, audio")) {
      const m = /** @type {HTMLMediaElement} */ (media);
      m.pause();
      m.removeAttribute("src");
      m.load();
    }
    body.replaceChildren();
  }

  /** @param {number} step */
  function neighbour(step) {
    const rows = [...table.tBodies[0].rows].filter((r) =>
      !r.hidden && PREVIEWABLE.has(r.dataset.kind ?? "")
    );
    if (!current) return null;
    const i = rows.indexOf(current);
    return rows[(i + step + rows.length) % rows.length] ?? null;
  }

  /** @param {HTMLTableRowElement} row */
  function show(row) {
    clear();
    current = row;
    const link = /** @type {HTMLAnchorElement} */ (row.querySelector("a.entry"));
    const kind = row.dataset.kind ?? "file";
    const name = row.dataset.name ?? "";
    const href = link.href;
    title.textContent = name;
    open.setAttribute("href", href);
    download.setAttribute("href", href + "?download");
    download.setAttribute("aria-label", `Download ${name}`);
    loading = new AbortController();
    if (kind === "video" || kind === "audio") {
      const media = /** @type {HTMLMediaElement} */ (el(kind, {
        controls: "",
        autoplay: "",
        preload: "metadata",
        "aria-label": name,
      }));
      media.addEventListener("error", () => {
        body.append(el(
          "p",
          { class: "note error" },
          `Your browser cannot play this ${kind} format. Download it to play it elsewhere.`,
        ));
      });
      media.setAttribute("src", href);
      body.append(media);
    } else if (kind === "image") {
      body.append(el("img", { src: href, alt: name }));
    } else {
      showText(body, href, loading.signal);
    }
    if (!dialog.open) dialog.showModal();
  }

  table.addEventListener("click", (event) => {
    const mouse = /** @type {MouseEvent} */ (event);
    const link = /** @type {HTMLElement} */ (event.target).closest("a.entry");
    if (
      !link || mouse.button !== 0 || mouse.ctrlKey || mouse.metaKey || mouse.shiftKey ||
      mouse.altKey
    ) {
      return;
    }
    const row = /** @type {HTMLTableRowElement} */ (link.closest("tr"));
    if (!PREVIEWABLE.has(row.dataset.kind ?? "")) return;
    event.preventDefault();
    show(row);
  });
  close.addEventListener("click", () => dialog.close());
  prev.addEventListener("click", () => {
    const row = neighbour(-1);
    if (row) show(row);
  });
  next.addEventListener("click", () => {
    const row = neighbour(1);
    if (row) show(row);
  });
  dialog.addEventListener("keydown", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (target.matches("video, audio, input, textarea")) return;
    if (event.key === "ArrowLeft") prev.click();
    if (event.key === "ArrowRight") next.click();
  });
  // A click on the backdrop (outside the dialog's box) closes it.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => {
    clear();
    const link = current?.querySelector("a.entry");
    current = null;
    if (link instanceof HTMLElement) link.focus();
  });
}
