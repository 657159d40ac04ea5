// The "Share" action of a listing: a dialog that makes a share link
// (POST /_/api/shares) for a row or the current folder, then shows the link
// with a copy button and its QR code (drawn by the server as SVG).

import { el, plainUrl } from "./dom.js";

/** Expiry choices offered; the server also takes ISO times. */
const EXPIRIES = [
  ["1h", "1 hour"],
  ["1d", "1 day"],
  ["7d", "7 days"],
  ["30d", "30 days"],
  ["never", "Never"],
];

/**
 * The JSON body of a share request from the dialog's fields.
 * @param {{ path: string, mode: string, expires: string, password: string, maxDownloads: string, maxFiles: string }} f
 * @returns {Record<string, unknown>}
 */
export function shareRequest(f) {
  /** @type {Record<string, unknown>} */
  const body = { path: f.path, mode: f.mode, expires: f.expires };
  if (f.password !== "") body.password = f.password;
  if (f.mode === "read" && f.maxDownloads !== "") body.maxDownloads = Number(f.maxDownloads);
  if (f.mode === "upload" && f.maxFiles !== "") body.maxFiles = Number(f.maxFiles);
  return body;
}

/**
 * Copies `text`: the Clipboard API, or a selected field and `execCommand`
 * where the API is refused (plain HTTP on another host).
 * @param {string} text
 * @param {HTMLInputElement} field shows `text`
 * @returns {Promise<boolean>}
 */
async function copy(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field.select();
    return document.execCommand("copy");
  }
}

/** @returns {HTMLDialogElement} */
function buildDialog() {
  const dialog = /** @type {HTMLDialogElement} */ (el("dialog", {
    id: "share-dialog",
    class: "share-dialog",
    "aria-labelledby": "share-title",
  }));
  const form = el("form", { id: "share-form", method: "dialog" });
  const expiry = el("select", { id: "share-expires", name: "expires" });
  for (const [value, label] of EXPIRIES) {
    const option = /** @type {HTMLOptionElement} */ (el("option", { value }, label));
    option.selected = value === "7d";
    expiry.append(option);
  }
  form.append(
    el("h2", { id: "share-title" }, "Share"),
    el("p", { class: "share-target", id: "share-target" }),
    fieldset(),
    labelled("Expires after", expiry),
    labelled(
      "Password (optional)",
      el("input", { type: "password", id: "share-password", autocomplete: "new-password" }),
    ),
    labelled(
      "Most downloads (optional)",
      el("input", { type: "number", id: "share-max", min: "1", step: "1", inputmode: "numeric" }),
      "share-max-row",
    ),
    labelled(
      "Most files (optional)",
      el("input", { type: "number", id: "share-files", min: "1", step: "1", inputmode: "numeric" }),
      "share-files-row",
    ),
    el("p", { class: "share-error", id: "share-error", role: "alert" }),
  );
  const actions = el("p", { class: "share-actions" });
  actions.append(
    el("button", { type: "submit", id: "share-create" }, "Create link"),
    el("button", { type: "button", id: "share-cancel" }, "Cancel"),
  );
  form.append(actions);

  const result = el("div", { id: "share-result", class: "share-result" });
  result.hidden = true;
  const link = el("input", {
    type: "text",
    id: "share-link",
    readonly: "",
    "aria-label": "Share link",
  });
  const row = el("p", { class: "share-link-row" });
  row.append(link, el("button", { type: "button", id: "share-copy" }, "Copy link"));
  const qr = el("img", { id: "share-qr", class: "share-qr", alt: "QR code of the link" });
  const done = el("p", { class: "share-actions" });
  done.append(el("button", { type: "button", id: "share-close" }, "Done"));
  result.append(
    el("h2", {}, "Link ready"),
    row,
    el("p", { class: "share-copied", id: "share-copied", role: "status", "aria-live": "polite" }),
    qr,
    el("p", { class: "share-note" }, "Manage your links on the "),
    done,
  );
  const note = /** @type {HTMLElement} */ (result.querySelector(".share-note"));
  note.append(el("a", { href: "/_/shares" }, "Shared links"), " page.");
  dialog.append(form, result);
  document.body.append(dialog);
  return dialog;
}

function fieldset() {
  const set = el("fieldset", { class: "share-mode" });
  set.append(el("legend", {}, "Anyone with the link can"));
  for (const [value, label] of [["read", "Download"], ["upload", "Upload (drop box)"]]) {
    const input = /** @type {HTMLInputElement} */ (el("input", {
      type: "radio",
      name: "share-mode",
      value,
      id: `share-mode-${value}`,
    }));
    const wrap = el("label", { for: input.id, class: "share-mode-option" });
    wrap.append(input, ` ${label}`);
    set.append(wrap);
  }
  return set;
}

/**
 * @param {string} text
 * @param {HTMLElement} control
 * @param {string} [id]
 */
function labelled(text, control, id) {
  const row = el("p", { class: "share-field", ...(id ? { id } : {}) });
  row.append(el("label", { for: control.id }, text), control);
  return row;
}

/**
 * Adds "Share" actions to the listing: one per row and one for the folder.
 * @param {HTMLTableElement} table
 * @param {HTMLElement} toolbar
 * @returns {{ decorate: () => void }} `decorate()` adds the buttons to new rows
 */
export function initShare(table, toolbar) {
  const dialog = buildDialog();
  const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (
    dialog.querySelector(`#${id}`)
  );
  const form = /** @type {HTMLFormElement} */ (dialog.querySelector("form"));
  const result = $("share-result");
  const folderPath = decodeURIComponent(location.pathname);
  let path = folderPath;
  let isDir = true;

  /** @param {string} target decoded path below ROOT @param {boolean} dir */
  const open = (target, dir) => {
    path = target;
    isDir = dir;
    form.hidden = false;
    result.hidden = true;
    $("share-target").textContent = target;
    $("share-error").textContent = "";
    $("share-password").value = "";
    $("share-max").value = "";
    $("share-files").value = "";
    $("share-mode-read").checked = true;
    $("share-mode-upload").disabled = !dir;
    $("share-max-row").hidden = false;
    $("share-files-row").hidden = true;
    dialog.showModal();
  };

  form.addEventListener("change", () => {
    const upload = $("share-mode-upload").checked;
    $("share-max-row").hidden = upload;
    $("share-files-row").hidden = !upload;
  });
  $("share-cancel").addEventListener("click", () => dialog.close());
  $("share-close").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = shareRequest({
      path,
      mode: $("share-mode-upload").checked && isDir ? "upload" : "read",
      expires: /** @type {HTMLSelectElement} */ (dialog.querySelector("#share-expires")).value,
      password: $("share-password").value,
      maxDownloads: $("share-max").value,
      maxFiles: $("share-files").value,
    });
    let res;
    try {
      res = await fetch(plainUrl("/_/api/shares"), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
      });
    } catch {
      $("share-error").textContent = "Network error: the link was not made.";
      return;
    }
    if (res.status !== 201) {
      const reason = await res.json().then((j) => j.error).catch(() => "");
      $("share-error").textContent = `Not shared (${res.status}${reason ? `: ${reason}` : ""}).`;
      return;
    }
    const share = await res.json();
    form.hidden = true;
    result.hidden = false;
    $("share-link").value = share.url;
    $("share-copied").textContent = "";
    /** @type {HTMLImageElement} */ (/** @type {unknown} */ ($("share-qr"))).src =
      "data:image/svg+xml;charset=utf-8," + encodeURIComponent(share.qr);
    $("share-copy").focus();
  });
  $("share-copy").addEventListener("click", async () => {
    const ok = await copy($("share-link").value, $("share-link"));
    $("share-copied").textContent = ok ? "Link copied." : "Select the link and copy it.";
  });

  const folderButton = el("button", { type: "button", id: "share-folder", class: "share-folder" });
  folderButton.textContent = "Share this folder";
  folderButton.addEventListener("click", () => open(folderPath, true));
  toolbar.append(folderButton);

  table.addEventListener("click", (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest("button.share");
    if (!button) return;
    const row = /** @type {HTMLTableRowElement} */ (button.closest("tr"));
    const dir = row.dataset.kind === "dir";
    const name = row.dataset.name ?? "";
    open(folderPath + name + (dir ? "/" : ""), dir);
  });

  const decorate = () => {
    for (const row of table.querySelectorAll("tbody tr[data-name]")) {
      const cell = row.querySelector("td.actions");
      if (!cell || cell.querySelector("button.share")) continue;
      const name = /** @type {HTMLElement} */ (row).dataset.name ?? "";
      const button = el("button", {
        type: "button",
        class: "row-action share",
        title: "Share",
        "aria-label": `Share ${name}`,
      }, "Share");
      cell.append(button);
    }
  };
  decorate();
  return { decorate };
}
