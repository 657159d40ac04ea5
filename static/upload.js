// Uploads with drag-and-drop or a file picker, two at a time, each with
// progress, speed, ETA, pause, cancel, and errors in words. Files go through
// the server's resumable uploads (resumable_upload.js): a network drop is
// retried with backoff, and after a reload the same file picked again
// resumes. A server without them (no state store) gets one PUT per file.

import { el, pathHref } from "./dom.js";
import { chosenFiles, droppedFiles, isUploadable } from "./dropped_files.js";
import { duration, humanSize } from "./format.js";
import {
  fingerprint,
  rememberedUpload,
  ResumableUpload,
  UploadCancelled,
  UploadFailed,
} from "./resumable_upload.js";

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
 * The URL of `path` (a `/`-separated path relative to the folder) under
 * `dirHref`, each segment percent-encoded.
 * @param {string} dirHref
 * @param {string} path
 * @returns {string}
 */
export function uploadUrl(dirHref, path) {
  return dirHref + pathHref(path);
}

/**
 * Turns on the upload section of a writable listing.
 * @param {HTMLElement} section the server-rendered `#upload`
 * @param {{ dirHref: string, onUploaded: () => void }} options
 */
export function initUpload(section, { dirHref, onUploaded }) {
  const input = /** @type {HTMLInputElement} */ (section.querySelector("#upload-input"));
  const choose = /** @type {HTMLButtonElement} */ (section.querySelector("#upload-choose"));
  const folderInput = /** @type {HTMLInputElement} */ (
    section.querySelector("#upload-folder-input")
  );
  const chooseFolder = /** @type {HTMLButtonElement} */ (
    section.querySelector("#upload-choose-folder")
  );
  const zone = /** @type {HTMLElement} */ (section.querySelector("#dropzone"));
  const list = /** @type {HTMLElement} */ (section.querySelector("#upload-list"));
  const clear = /** @type {HTMLButtonElement} */ (section.querySelector("#upload-clear"));
  const SETTLED = '[data-state="done"], [data-state="cancelled"], [data-state="error"]';
  const updateClear = () => {
    clear.hidden = list.querySelector(SETTLED) === null;
  };
  clear.addEventListener("click", () => {
    for (const item of list.querySelectorAll(SETTLED)) item.remove();
    updateClear();
  });
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
   * @param {string} path where it goes, relative to this folder (missing folders are made)
   */
  function add(file, path = file.name) {
    const item = el("li", { class: "upload-item" });
    item.dataset.name = path;
    item.dataset.state = "queued";
    const name = el("span", { class: "upload-name" }, path);
    const bar = /** @type {HTMLProgressElement} */ (el("progress"));
    bar.max = file.size || 1;
    bar.value = 0;
    bar.setAttribute("aria-label", `Upload progress of ${file.name}`);
    const status = el("span", { class: "upload-status" }, "Waiting…");
    status.setAttribute("role", "status");
    const cancel =
      /** @type {HTMLButtonElement} */ (el("button", { class: "upload-cancel" }, "Cancel"));
    cancel.type = "button";
    cancel.setAttribute("aria-label", `Cancel upload of ${file.name}`);
    const pause =
      /** @type {HTMLButtonElement} */ (el("button", { class: "upload-pause" }, "Pause"));
    pause.type = "button";
    pause.hidden = true;
    pause.setAttribute("aria-label", `Pause upload of ${file.name}`);
    item.append(name, bar, status, pause, cancel);
    list.append(item);

    /** @type {XMLHttpRequest | null} */
    let xhr = null;
    /** @type {ResumableUpload | null} */
    let upload = null;
    let cancelled = false;

    /** @param {string} state @param {string} text */
    const settle = (state, text) => {
      item.dataset.state = state;
      status.textContent = text;
      cancel.remove();
      pause.remove();
      updateClear();
    };

    let started = performance.now();
    let speed = 0;
    let last = { t: started, loaded: 0 };
    /** Shows bytes, rate and time left. @param {number} loaded @param {number} total */
    const progress = (loaded, total) => {
      const now = performance.now();
      const dt = (now - last.t) / 1000;
      if (dt > 0 && loaded >= last.loaded) {
        const instant = (loaded - last.loaded) / dt;
        speed = speed === 0 ? instant : 0.7 * speed + 0.3 * instant;
      }
      last = { t: now, loaded };
      bar.value = loaded;
      const eta = speed > 0 ? ` · ${duration((total - loaded) / speed)} left` : "";
      status.textContent = `${humanSize(loaded)} of ${humanSize(total)} · ` +
        `${humanSize(Math.round(speed))}/s${eta}`;
      item.dataset.progressEvents = String(Number(item.dataset.progressEvents ?? 0) + 1);
    };

    const succeeded = () => {
      finished();
      bar.value = bar.max;
      const seconds = (performance.now() - started) / 1000;
      settle(
        "done",
        `Uploaded ${humanSize(file.size)} in ${seconds < 1 ? "under a second" : duration(seconds)}`,
      );
      onUploaded();
    };

    /** @param {number} code @param {string} body */
    const failed = (code, body) => {
      finished();
      settle("error", uploadError(code, body));
      if (code !== 412) return;
      const replace =
        /** @type {HTMLButtonElement} */ (el("button", { class: "upload-replace" }, "Replace"));
      replace.type = "button";
      replace.setAttribute("aria-label", `Replace the existing ${file.name}`);
      replace.addEventListener("click", () => {
        replace.remove();
        item.dataset.state = "queued";
        updateClear();
        item.append(cancel);
        cancel.focus();
        // Cancelled while waiting in the queue: it must not run.
        queue.push(() => cancelled ? finished() : start(true));
        pump();
      });
      item.append(replace);
    };

    /** The resumable way. @param {boolean} overwrite */
    const start = (overwrite) => {
      item.dataset.state = "uploading";
      started = performance.now();
      speed = 0;
      last = { t: started, loaded: 0 };
      status.textContent = `0 B of ${humanSize(file.size)}`;
      upload = new ResumableUpload(file, {
        folder: dirHref,
        path,
        replace: overwrite,
        onProgress: (sent, total) => {
          // A resumed upload starts counting its rate from here.
          if (last.loaded === 0 && sent > 0 && speed === 0) {
            last = { t: performance.now(), loaded: sent };
          }
          progress(sent, total);
        },
        onState: (state, detail) => {
          if (state === "done") return;
          item.dataset.state = state;
          pause.hidden = false;
          pause.textContent = state === "paused" ? "Resume" : "Pause";
          pause.setAttribute("aria-label", `${pause.textContent} upload of ${file.name}`);
          if (state === "paused") {
            status.textContent = `Paused at ${humanSize(bar.value)} of ${humanSize(file.size)}`;
          }
          if (state === "retrying" && detail) status.textContent = detail;
        },
      });
      upload.run().then(succeeded, (error) => {
        if (error instanceof UploadCancelled) {
          finished();
          settle("cancelled", "Cancelled");
        } else if (error instanceof UploadFailed && error.body === "unsupported") {
          startPut(overwrite);
        } else if (error instanceof UploadFailed) {
          failed(error.status, error.body);
        } else {
          failed(0, "");
        }
      });
    };

    pause.addEventListener("click", () => {
      if (upload === null) return;
      if (item.dataset.state === "paused") upload.resume();
      else upload.pause();
    });

    /** The one-request way, for servers without resumable uploads. @param {boolean} overwrite */
    const startPut = (overwrite) => {
      item.dataset.state = "uploading";
      upload = null;
      pause.hidden = true;
      xhr = new XMLHttpRequest();
      xhr.open("PUT", uploadUrl(dirHref, path));
      // Never silently replace someone else's file: ask first (412).
      if (!overwrite) xhr.setRequestHeader("if-none-match", "*");
      if (file.type) xhr.setRequestHeader("content-type", file.type);
      xhr.upload.addEventListener("progress", (event) => {
        progress(event.loaded, event.lengthComputable ? event.total : file.size);
      });
      xhr.addEventListener("load", () => {
        const req = /** @type {XMLHttpRequest} */ (xhr);
        if (req.status >= 200 && req.status < 300) succeeded();
        else failed(req.status, req.responseText.slice(0, 200));
      });
      xhr.addEventListener("error", () => failed(0, ""));
      xhr.addEventListener("abort", () => {
        finished();
        settle("cancelled", "Cancelled");
      });
      status.textContent = `0 B of ${humanSize(file.size)}`;
      xhr.send(file);
    };

    cancel.addEventListener("click", () => {
      cancelled = true;
      if (upload !== null) {
        upload.cancel();
        if (item.dataset.state === "resumable") settle("cancelled", "Cancelled");
      } else if (xhr && xhr.readyState !== XMLHttpRequest.DONE) xhr.abort();
      else settle("cancelled", "Cancelled");
    });

    /**
     * An earlier upload of this very file (same place, name, size and
     * modification time) stopped, say by a reload: offer to go on with it.
     * @param {number} offset what the server has
     */
    const offerResume = (offset) => {
      item.dataset.state = "resumable";
      bar.value = offset;
      status.textContent = `An earlier upload of this file stopped at ${humanSize(offset)} of ` +
        `${humanSize(file.size)}.`;
      const resume =
        /** @type {HTMLButtonElement} */ (el("button", { class: "upload-resume" }, "Resume"));
      resume.type = "button";
      resume.setAttribute("aria-label", `Resume the earlier upload of ${file.name}`);
      const over =
        /** @type {HTMLButtonElement} */ (el("button", { class: "upload-restart" }, "Start over"));
      over.type = "button";
      over.setAttribute("aria-label", `Upload ${file.name} again from the start`);
      /** @param {boolean} fresh */
      const go = async (fresh) => {
        resume.remove();
        over.remove();
        item.dataset.state = "queued";
        if (fresh) {
          await new ResumableUpload(file, {
            folder: dirHref,
            path,
            replace: false,
            onProgress() {},
            onState() {},
          }).cancel();
        }
        queue.push(() => cancelled ? finished() : start(false));
        pump();
      };
      resume.addEventListener("click", () => go(false));
      over.addEventListener("click", () => go(true));
      item.insertBefore(resume, cancel);
      item.insertBefore(over, cancel);
      resume.focus();
    };

    queue.push(async () => {
      if (cancelled) {
        finished();
        return;
      }
      const url = rememberedUpload(fingerprint(dirHref, path, file));
      if (url !== null) {
        const res = await fetch(url, { method: "HEAD", headers: { "Tus-Resumable": "1.0.0" } })
          .catch(() => null);
        if (res?.ok) {
          finished();
          offerResume(Number(res.headers.get("upload-offset")));
          return;
        }
      }
      start(false);
    });
  }

  /** @param {Iterable<{ file: File, path: string }>} files */
  function addAll(files) {
    for (const { file, path } of files) {
      if (isUploadable(path)) add(file, path);
    }
    pump();
  }

  choose.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    addAll(chosenFiles(input));
    input.value = "";
  });
  // A chosen folder keeps its own name and inner structure.
  chooseFolder.addEventListener("click", () => folderInput.click());
  folderInput.addEventListener("change", () => {
    addAll(chosenFiles(folderInput));
    folderInput.value = "";
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
  document.addEventListener("drop", async (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    depth = 0;
    zone.classList.remove("dragging");
    addAll(await droppedFiles(event.dataTransfer));
  });
}
