// Folder management on a writable listing: a "New folder" form, and rename
// and delete buttons per row. They only send the requests the server
// already answers (PUT dir/, MOVE, DELETE with Depth: 0, then DELETE) and show its
// reason when it refuses.

import { pathHref, plainUrl } from "./dom.js";

/**
 * Why a file or folder name cannot be used, or null when it can.
 * @param {string} name
 * @returns {string | null}
 */
export function nameProblem(name) {
  if (name.trim() === "") return "Enter a name.";
  if (name === "." || name === "..") return "That name is reserved.";
  if (/[/\\\0]/.test(name)) return "A name cannot contain / or \\.";
  if (name.startsWith(".")) return "Names starting with a dot are hidden on this server.";
  return null;
}

/**
 * What a refused folder action means, in words.
 * @param {number} status
 * @param {string} body the server's short reason
 * @returns {string}
 */
export function manageError(status, body) {
  switch (status) {
    case 0:
      return "Network error: the connection to the server was lost.";
    case 401:
      return "Sign-in required: changes need a user with write access.";
    case 403:
      return "Not allowed: you may not change this folder.";
    case 404:
      return "It is already gone.";
    case 405:
      return "Changes are turned off on this server.";
    case 409:
    case 412:
      return "A file or folder with this name already exists.";
    default:
      return `Failed (${status}${body ? `: ${body.trim()}` : ""}).`;
  }
}

/**
 * @param {string} url
 * @param {RequestInit} init
 * @returns {Promise<{ status: number, body: string }>}
 */
async function send(url, init) {
  try {
    const res = await fetch(plainUrl(url), init);
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: "" };
  }
}

/**
 * Turns on folder management for a writable listing.
 * @param {HTMLTableElement} table the listing
 * @param {HTMLElement} section the server-rendered `#upload` section
 * @param {{ dirHref: string, onChanged: () => void }} options
 * @returns {{ decorate: () => void }} `decorate()` adds the buttons to new rows
 */
export function initManage(table, section, { dirHref, onChanged }) {
  const form = /** @type {HTMLFormElement} */ (section.querySelector("#new-folder"));
  const input = /** @type {HTMLInputElement} */ (form.querySelector("input"));
  const status = /** @type {HTMLElement} */ (section.querySelector("#manage-status"));
  form.hidden = false;

  /** A renamed row's name, to focus once the listing shows it. @type {string | null} */
  let pendingFocus = null;

  /** @param {string} text @param {"ok" | "error"} kind */
  const say = (text, kind) => {
    status.textContent = text;
    status.dataset.kind = kind;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = input.value;
    const problem = nameProblem(name);
    if (problem !== null) {
      say(problem, "error");
      input.focus();
      return;
    }
    const { status: code, body } = await send(dirHref + encodeURIComponent(name) + "/", {
      method: "PUT",
      headers: { "if-none-match": "*" },
    });
    if (code === 201) {
      say(`Created folder ${name}.`, "ok");
      input.value = "";
      onChanged();
    } else {
      say(manageError(code, body), "error");
    }
  });

  /**
   * Asks for a new name and renames the row's entry with MOVE.
   * @param {string} name
   * @param {boolean} isDir
   */
  const rename = async (name, isDir) => {
    const current = name.slice(name.lastIndexOf("/") + 1);
    const wanted = prompt(`Rename ${current} to:`, current);
    if (wanted === null || wanted === current) return;
    const problem = nameProblem(wanted);
    if (problem !== null) {
      say(problem, "error");
      return;
    }
    // Renamed where it is: in search results, inside its own folder.
    const parent = name.includes("/") ? name.slice(0, name.lastIndexOf("/") + 1) : "";
    const result = await send(dirHref + pathHref(name, isDir), {
      method: "MOVE",
      headers: { destination: dirHref + pathHref(parent + wanted, isDir) },
    });
    if (result.status === 201) {
      say(`Renamed ${current} to ${wanted}.`, "ok");
      // The row comes back under its new name with the next refresh: keep the focus on it.
      pendingFocus = parent + wanted;
      onChanged();
    } else if (result.status === 409) {
      // The server says why (an upload running in the folder, moving into itself, …).
      say(`Not renamed: ${result.body.trim()}`, "error");
    } else {
      say(manageError(result.status, result.body), "error");
    }
  };

  table.addEventListener("click", async (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest(
      "button.rename, button.delete",
    );
    if (!button) return;
    const row = /** @type {HTMLTableRowElement} */ (button.closest("tr"));
    const name = row.dataset.name ?? "";
    const isDir = row.dataset.kind === "dir";
    say("", "ok");
    if (button.classList.contains("rename")) {
      await rename(name, isDir);
      return;
    }
    if (!confirm(`Delete ${isDir ? "the folder " : ""}${name}?`)) return;
    const url = dirHref + pathHref(name, isDir);
    // Depth: 0 deletes a folder only when it is empty (409 otherwise).
    let result = await send(url, { method: "DELETE", headers: { depth: "0" } });
    if (result.status === 409 && isDir) {
      if (!confirm(`${name} is not empty. Delete it and everything in it?`)) return;
      result = await send(url, { method: "DELETE" });
    }
    if (result.status === 204) {
      say(`Deleted ${name}.`, "ok");
      // Keep keyboard users in the table: focus the next row's button.
      const next = /** @type {HTMLElement | null} */ (
        (row.nextElementSibling ?? row.previousElementSibling)?.querySelector("button.delete") ??
          null
      );
      row.remove();
      next?.focus();
      onChanged();
    } else if (result.status === 409) {
      // The server says why (e.g. the folder holds hidden entries).
      say(`Not deleted: ${result.body.trim()}`, "error");
    } else {
      say(manageError(result.status, result.body), "error");
    }
  });

  /** @param {string} action @param {string} name */
  const actionButton = (action, name) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `row-action ${action.toLowerCase()}`;
    button.title = action;
    button.setAttribute("aria-label", `${action} ${name}`);
    button.textContent = action;
    return button;
  };
  const decorate = () => {
    for (const row of table.querySelectorAll("tbody tr[data-name]")) {
      const cell = row.querySelector("td.actions");
      if (!cell || cell.querySelector("button.delete")) continue;
      const name = /** @type {HTMLElement} */ (row).dataset.name ?? "";
      cell.append(actionButton("Rename", name), actionButton("Delete", name));
    }
    if (pendingFocus === null) return;
    for (const row of table.querySelectorAll("tbody tr[data-name]")) {
      if (/** @type {HTMLElement} */ (row).dataset.name !== pendingFocus) continue;
      /** @type {HTMLElement | null} */ (row.querySelector("button.rename"))?.focus();
      pendingFocus = null;
    }
  };
  decorate();
  return { decorate };
}
