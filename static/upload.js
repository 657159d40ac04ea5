// Uploads with drag-and-drop or a file picker: one XMLHttpRequest PUT per
// file (for upload progress), two at a time, each with progress, speed,
// ETA, cancel, and errors in words.

import { duration, humanSize } from "./format.js";

const PARALLEL = 2;

/**
 * What a failed upload's status means, in words.
 * @param {number} status
 * @param {string} body the server's short reason
 * @returns {string}
 */
export function uploadError(status, body) {
  switch (status) {
    case 0:
      return "Network error: the connection to the server was lost.";
    case 401:
      return "Sign-in required: uploading needs a user with write access.";
    case 403:
      return "Not allowed: you may not write to this folder.";
    case 405:
      return "Uploads are turned off on this server.";
    case 409:
      return "Conflict: a folder (or a file in the way) has this name.";
    case 412:
      return "A file with this name already exists.";
    case 413:
      return "Too large: the file is over this server's upload limit.";
    case 507:
      return "The server's disk is full.";
    default:
      return `Upload failed (${status}${body ? `: ${body.trim()}` : ""}).`;
  }
}

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Turns on the upload section of a writable listing.
 * @param {HTMLElement} section the server-rendered `#upload`
 * @param {{ dirHref: string, onUploaded: () => void }} options
 */
export function initUpload(section, { dirHref, onUploaded }) {
  const input = /** @type {HTMLInputElement} */ (section.querySelector("#upload-input"));
  const choose = /** @type {HTMLButtonElement} */ (section.querySelector("#upload-choose"));
  const zone = /** @type {HTMLElement} */ (section.querySelector("#dropzone"));
  const list = /** @type {HTMLElement} */ (section.querySelector("#upload-list"));
  section.hidden = false;

  /** @type {(() => void)[]} */
  const queue = [];
  let running = 0;
  const pump = () => {
    while (running < PARALLEL && queue.length > 0) {
      running++;
      /** @type {() => void} */ (queue.shift())();
    }
  };
  const finished = () => {
    running--;
    pump();
  };

  /**
   * One list item and its XHR.
   * @param {File} file
   */
  function add(file) {
    const item = el("li", "upload-item");
    item.dataset.name = file.name;
    item.dataset.state = "queued";
    const name = el("span", "upload-name", file.name);
    const bar = /** @type {HTMLProgressElement} */ (el("progress"));
    bar.max = file.size || 1;
    bar.value = 0;
    bar.setAttribute("aria-label", `Upload progress of ${file.name}`);
    const status = el("span", "upload-status", "Waiting…");
    status.setAttribute("role", "status");
    const cancel = /** @type {HTMLButtonElement} */ (el("button", "upload-cancel", "Cancel"));
    cancel.type = "button";
    cancel.setAttribute("aria-label", `Cancel upload of ${file.name}`);
    item.append(name, bar, status, cancel);
    list.append(item);

    /** @type {XMLHttpRequest | null} */
    let xhr = null;
    let cancelled = false;

    /** @param {string} state @param {string} text */
    const settle = (state, text) => {
      item.dataset.state = state;
      status.textContent = text;
      cancel.remove();
    };

    /** @param {boolean} overwrite */
    const start = (overwrite) => {
      item.dataset.state = "uploading";
      const started = performance.now();
      let speed = 0;
      let last = { t: started, loaded: 0 };
      xhr = new XMLHttpRequest();
      xhr.open("PUT", dirHref + encodeURIComponent(file.name));
      // Never silently replace someone else's file: ask first (412).
      if (!overwrite) xhr.setRequestHeader("if-none-match", "*");
      if (file.type) xhr.setRequestHeader("content-type", file.type);
      xhr.upload.addEventListener("progress", (event) => {
        const now = performance.now();
        const dt = (now - last.t) / 1000;
        if (dt > 0) {
          const instant = (event.loaded - last.loaded) / dt;
          speed = speed === 0 ? instant : 0.7 * speed + 0.3 * instant;
        }
        last = { t: now, loaded: event.loaded };
        bar.value = event.loaded;
        const total = event.lengthComputable ? event.total : file.size;
        const eta = speed > 0 ? ` · ${duration((total - event.loaded) / speed)} left` : "";
        status.textContent = `${humanSize(event.loaded)} of ${humanSize(total)} · ` +
          `${humanSize(Math.round(speed))}/s${eta}`;
        item.dataset.progressEvents = String(Number(item.dataset.progressEvents ?? 0) + 1);
      });
      xhr.addEventListener("load", () => {
        const req = /** @type {XMLHttpRequest} */ (xhr);
        finished();
        if (req.status >= 200 && req.status < 300) {
          bar.value = bar.max;
          const seconds = (performance.now() - started) / 1000;
          settle(
            "done",
            `Uploaded ${humanSize(file.size)} in ${
              seconds < 1 ? "under a second" : duration(seconds)
            }`,
          );
          onUploaded();
          return;
        }
        settle("error", uploadError(req.status, req.responseText.slice(0, 200)));
        if (req.status === 412) {
          const replace =
            /** @type {HTMLButtonElement} */ (el("button", "upload-replace", "Replace"));
          replace.type = "button";
          replace.setAttribute("aria-label", `Replace the existing ${file.name}`);
          replace.addEventListener("click", () => {
            replace.remove();
            item.append(cancel);
            queue.push(() => start(true));
            pump();
          });
          item.append(replace);
        }
      });
      xhr.addEventListener("error", () => {
        finished();
        settle("error", uploadError(0, ""));
      });
      xhr.addEventListener("abort", () => {
        finished();
        settle("cancelled", "Cancelled");
      });
      status.textContent = `0 B of ${humanSize(file.size)}`;
      xhr.send(file);
    };

    cancel.addEventListener("click", () => {
      cancelled = true;
      if (xhr && xhr.readyState !== XMLHttpRequest.DONE) xhr.abort();
      else settle("cancelled", "Cancelled");
    });
    queue.push(() => {
      if (cancelled) {
        finished();
        return;
      }
      start(false);
    });
  }

  /** @param {Iterable<File>} files */
  function addAll(files) {
    for (const file of files) add(file);
    pump();
  }

  choose.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    addAll(input.files ?? []);
    input.value = "";
  });

  // The whole page accepts drops; the drop zone shows where they go.
  let depth = 0;
  document.addEventListener("dragenter", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    depth++;
    zone.classList.add("dragging");
  });
  document.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove("dragging");
  });
  document.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    depth = 0;
    zone.classList.remove("dragging");
    /** @type {File[]} */
    const files = [];
    for (const item of event.dataTransfer.items) {
      const entry = item.webkitGetAsEntry?.();
      const file = item.getAsFile();
      if (entry?.isDirectory) {
        const li = el("li", "upload-item", "");
        li.dataset.state = "error";
        li.append(
          el("span", "upload-name", entry.name),
          el("span", "upload-status", "Folders cannot be uploaded here; drop the files inside."),
        );
        list.append(li);
      } else if (file) {
        files.push(file);
      }
    }
    addAll(files);
  });
}
