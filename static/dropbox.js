// The drop-box page: uploads chosen or dropped files (and folders) into a
// drop box, resumably (tus at <link>/_/uploads/: pause, resume, retries after
// a network drop, and the same file picked again after a reload goes on where
// it stopped), showing progress and the name each file was stored under.
// A server without resumable uploads gets one XMLHttpRequest PUT per file.
// It never lists or reads the folder.

import { el, pathHref } from "./dom.js";
import { chosenFiles, droppedFiles, isUploadable } from "./dropped_files.js";
import { humanSize } from "./format.js";
import { ResumableUpload, UploadFailed } from "./resumable_upload.js";

/** Uploads running at once. */
const PARALLEL = 2;

/**
 * Why an upload into the drop box failed, in words.
 * @param {number} status
 * @param {string} body the server's short reason
 * @returns {string}
 */
export function dropError(status, body) {
  switch (status) {
    case 0:
      return "Network error: the connection was lost.";
    case 401:
      return "This link needs its password: reload the page.";
    case 403:
    case 413:
      return body.trim() || "This drop box takes no more files.";
    case 404:
    case 410:
      return "This link no longer works.";
    case 409:
      return "Another upload took this name meanwhile: retry.";
    case 429:
      return "Too many attempts: wait a minute and try again.";
    default:
      return `Failed (${status}${body ? `: ${body.trim()}` : ""}).`;
  }
}

function main() {
  const base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";
  const zone = /** @type {HTMLElement} */ (document.getElementById("drop-zone"));
  const list = /** @type {HTMLElement} */ (document.getElementById("drop-list"));
  const status = /** @type {HTMLElement} */ (document.getElementById("drop-status"));
  const input = /** @type {HTMLInputElement} */ (document.getElementById("drop-input"));
  const folderInput = /** @type {HTMLInputElement} */ (
    document.getElementById("drop-folder-input")
  );
  /** @type {(() => void)[]} */
  const queue = [];
  let running = 0;
  let done = 0;
  let total = 0;

  const pump = () => {
    while (running < PARALLEL && queue.length > 0) {
      running++;
      /** @type {() => void} */ (queue.shift())();
    }
    status.textContent = total === 0 ? "" : `${done} of ${total} uploaded`;
  };

  /** @param {File} file @param {string} path */
  const add = (file, path) => {
    total++;
    const item = el("li", { class: "upload-item" });
    item.dataset.name = path;
    item.dataset.state = "queued";
    const bar = /** @type {HTMLProgressElement} */ (el("progress"));
    bar.max = Math.max(1, file.size);
    bar.value = 0;
    const note = el("span", { class: "upload-status" }, "Waiting…");
    item.append(el("span", { class: "upload-name" }, path), bar, note);
    list.append(item);
    const pause =
      /** @type {HTMLButtonElement} */ (el("button", { class: "upload-pause" }, "Pause"));
    pause.type = "button";
    pause.hidden = true;
    pause.setAttribute("aria-label", `Pause upload of ${path}`);
    const retry =
      /** @type {HTMLButtonElement} */ (el("button", { class: "upload-retry" }, "Retry"));
    retry.type = "button";
    retry.hidden = true;
    retry.setAttribute("aria-label", `Retry upload of ${path}`);
    item.append(pause, retry);
    /** @type {ResumableUpload | null} */
    let upload = null;

    /** @param {number} loaded */
    const progress = (loaded) => {
      bar.value = loaded;
      note.textContent = `${humanSize(loaded)} of ${humanSize(file.size)}`;
    };
    const finish = () => {
      running--;
      pump();
    };
    /** @param {string} stored where the server put it, inside the drop box */
    const succeeded = (stored) => {
      bar.value = bar.max;
      item.dataset.state = "done";
      item.dataset.storedAs = stored;
      pause.hidden = true;
      done++;
      note.textContent = stored === path
        ? `Sent (${humanSize(file.size)})`
        : `Sent as ${stored} (${humanSize(file.size)})`;
      finish();
    };
    /** @param {number} code @param {string} body */
    const failed = (code, body) => {
      item.dataset.state = "error";
      pause.hidden = true;
      note.textContent = dropError(code, body);
      // Worth another go: a lost connection, a busy server, a name taken meanwhile.
      retry.hidden = !(code === 0 || code === 409 || code === 429 || code >= 500);
      finish();
    };

    /** The one-request way, for servers without resumable uploads. */
    const put = () => {
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", base + pathHref(path));
      xhr.upload.addEventListener("progress", (event) => progress(event.loaded));
      xhr.addEventListener("load", () => {
        if (xhr.status === 201) succeeded(JSON.parse(xhr.responseText).path);
        else failed(xhr.status, xhr.responseText);
      });
      xhr.addEventListener("error", () => failed(0, ""));
      xhr.send(file);
    };

    const start = () => {
      item.dataset.state = "running";
      retry.hidden = true;
      upload = new ResumableUpload(file, {
        endpoint: base + "_/uploads/",
        folder: "/",
        path,
        replace: false,
        onProgress: progress,
        onState: (state, detail) => {
          if (state === "done") return;
          item.dataset.state = state === "uploading" ? "running" : state;
          pause.hidden = false;
          pause.textContent = state === "paused" ? "Resume" : "Pause";
          pause.setAttribute("aria-label", `${pause.textContent} upload of ${path}`);
          if (state === "paused") note.textContent = `Paused at ${humanSize(bar.value)}`;
          if (state === "retrying" && detail) note.textContent = detail;
        },
      });
      const current = upload;
      current.run().then(() => succeeded(current.storedAs ?? path), (error) => {
        if (error instanceof UploadFailed && error.body === "unsupported") put();
        else if (error instanceof UploadFailed) failed(error.status, error.body);
        else failed(0, "");
      });
    };

    pause.addEventListener("click", () => {
      if (upload === null) return;
      if (item.dataset.state === "paused") upload.resume();
      else upload.pause();
    });
    retry.addEventListener("click", () => {
      retry.hidden = true;
      item.dataset.state = "queued";
      note.textContent = "Waiting…";
      queue.push(start);
      pump();
    });
    queue.push(start);
  };

  /** @param {Iterable<{ file: File, path: string }>} files */
  const addAll = (files) => {
    for (const { file, path } of files) {
      if (isUploadable(path)) add(file, path);
    }
    pump();
  };

  /** @type {HTMLElement} */ (document.getElementById("drop-choose"))
    .addEventListener("click", () => input.click());
  /** @type {HTMLElement} */ (document.getElementById("drop-choose-folder"))
    .addEventListener("click", () => folderInput.click());
  input.addEventListener("change", () => {
    addAll(chosenFiles(input));
    input.value = "";
  });
  folderInput.addEventListener("change", () => {
    addAll(chosenFiles(folderInput));
    folderInput.value = "";
  });

  document.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("dragging");
  });
  document.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  document.addEventListener("drop", async (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    addAll(await droppedFiles(event.dataTransfer));
  });
}

main();
