// A small tus 1.0.0 client for the listing and drop-box pages: creates an
// upload at /_/uploads/ (or a drop box's <link>/_/uploads/), sends the file in PATCHes with XMLHttpRequest (for upload
// progress), retries with backoff after a network drop, and remembers each
// upload in localStorage so that the same file picked again after a reload
// resumes where the server's offset says.

const ENDPOINT = "/_/uploads/";
const TUS = { "Tus-Resumable": "1.0.0" };
/** Bytes per PATCH: a drop costs at most the unsent rest of one. */
const CHUNK = 16 * 1024 * 1024;
/** Seconds between retries after a network drop or a busy server. */
const BACKOFF = [1, 2, 4, 8, 15, 30];
const STORAGE_PREFIX = "sluice-upload:";

/**
 * The key a file is remembered by: where it goes, its name, size and
 * last-modified time (the same file picked again maps to the same key).
 * @param {string} folder the target folder's URL path
 * @param {string} path the file's path below it
 * @param {File} file
 * @returns {string}
 */
export function fingerprint(folder, path, file) {
  return [folder, path, file.size, file.lastModified].join("|");
}

/**
 * `Upload-Metadata`: comma-separated `key base64(UTF-8 value)` pairs.
 * @param {Record<string, string>} fields
 * @returns {string}
 */
export function encodeMetadata(fields) {
  return Object.entries(fields).map(([key, value]) => {
    const bytes = new TextEncoder().encode(value);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return `${key} ${btoa(binary)}`;
  }).join(",");
}

/**
 * The upload URL remembered for a fingerprint, or null.
 * @param {string} key
 * @returns {string | null}
 */
export function rememberedUpload(key) {
  try {
    return localStorage.getItem(STORAGE_PREFIX + key);
  } catch {
    return null;
  }
}

/** @param {string} key @param {string | null} url */
function remember(key, url) {
  try {
    if (url === null) localStorage.removeItem(STORAGE_PREFIX + key);
    else localStorage.setItem(STORAGE_PREFIX + key, url);
  } catch {
    // Private mode or full storage: resuming after a reload is then not offered.
  }
}

/** The upload was cancelled. */
export class UploadCancelled extends Error {}

/** An HTTP answer that ends the upload, with its status and reason. */
export class UploadFailed extends Error {
  /**
   * @param {number} status
   * @param {string} body
   * @param {boolean} [final] not worth retrying whatever the status
   */
  constructor(status, body, final = false) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.final = final;
  }
}

/**
 * @typedef {object} UploadCallbacks
 * @property {(sent: number, total: number) => void} onProgress bytes the server has or is receiving
 * @property {(state: "uploading" | "retrying" | "paused" | "done", detail?: string) => void} onState
 */

/**
 * The `X-Drop-Path` a drop box answers with (where the file is stored,
 * percent-encoded), decoded; null when absent or malformed.
 * @param {string | null} header
 * @returns {string | null}
 */
export function dropPath(header) {
  if (header === null) return null;
  try {
    return header.split("/").map(decodeURIComponent).join("/");
  } catch {
    return null;
  }
}

/**
 * @typedef {object} UploadTarget
 * @property {string} folder the target folder's URL path (ignored with `endpoint`)
 * @property {string} path the file's path below it
 * @property {boolean} replace whether an existing file may be replaced
 * @property {string} [endpoint] a drop box's endpoint (`<link>/_/uploads/`)
 *   instead of /_/uploads/: it never replaces and picks a free name
 */

/** One resumable upload of a File. */
export class ResumableUpload {
  /**
   * @param {File} file
   * @param {UploadTarget & UploadCallbacks} options
   */
  constructor(file, options) {
    this.file = file;
    this.options = options;
    this.endpoint = options.endpoint ?? ENDPOINT;
    this.key = fingerprint(options.endpoint ?? options.folder, options.path, file);
    /** Where a drop box stores the file (its path inside), once it said. @type {string | null} */
    this.storedAs = null;
    /** @type {string | null} */
    this.url = rememberedUpload(this.key);
    this.offset = 0;
    this.paused = false;
    this.cancelled = false;
    /** @type {XMLHttpRequest | null} */
    this.xhr = null;
    /** @type {(() => void) | null} */
    this.wake = null;
  }

  /**
   * Runs the upload to the end. Resolves when the file is in place;
   * rejects with `UploadCancelled`, with `UploadFailed` for an answer that
   * retrying cannot change, or with `UploadFailed` of status 0 and body
   * "unsupported" when the server has no resumable uploads (then PUT it).
   * @returns {Promise<void>}
   */
  async run() {
    let attempt = 0;
    while (true) {
      try {
        if (this.paused) await this.#sleepUntilResumed();
        if (this.cancelled) throw new UploadCancelled();
        this.options.onState("uploading");
        if (this.url === null || !await this.#resumeOffset()) await this.#create();
        while (this.offset < this.file.size && !this.paused) {
          await this.#patch();
          attempt = 0;
        }
        if (this.paused) continue;
        remember(this.key, null);
        this.options.onState("done");
        return;
      } catch (error) {
        if (this.cancelled) throw new UploadCancelled();
        if (this.paused && !(error instanceof UploadFailed)) continue;
        if (error instanceof UploadFailed && (error.final || !retryable(error.status))) {
          if (error.status !== 412) remember(this.key, null);
          throw error;
        }
        const wait = BACKOFF[Math.min(attempt++, BACKOFF.length - 1)];
        this.options.onState("retrying", `Connection lost, retrying in ${wait} s…`);
        await this.#sleep(wait * 1000);
      }
    }
  }

  /** Stops sending; `resume()` continues from the server's offset. */
  pause() {
    this.paused = true;
    this.xhr?.abort();
    this.options.onState("paused");
  }

  resume() {
    this.paused = false;
    this.wake?.();
  }

  /** Stops and deletes what the server has of this upload. */
  async cancel() {
    this.cancelled = true;
    this.paused = true;
    this.wake?.();
    this.xhr?.abort();
    remember(this.key, null);
    if (this.url !== null) {
      await fetch(this.url, { method: "DELETE", headers: TUS }).catch(() => {});
    }
  }

  /** Asks the server where the remembered upload stands; false when it is gone. */
  async #resumeOffset() {
    const res = await fetch(/** @type {string} */ (this.url), { method: "HEAD", headers: TUS });
    if (res.status === 404 || res.status === 410) {
      remember(this.key, null);
      this.url = null;
      return false;
    }
    if (!res.ok) throw new UploadFailed(res.status, "");
    this.storedAs = dropPath(res.headers.get("x-drop-path")) ?? this.storedAs;
    this.offset = Number(res.headers.get("upload-offset"));
    this.options.onProgress(this.offset, this.file.size);
    return true;
  }

  async #create() {
    const slash = this.options.path.lastIndexOf("/");
    const drop = this.options.endpoint !== undefined;
    const res = await fetch(this.endpoint, {
      method: "POST",
      headers: {
        ...TUS,
        "Upload-Length": String(this.file.size),
        "Upload-Metadata": encodeMetadata({
          filename: this.options.path.slice(slash + 1),
          ...(drop ? {} : { folder: this.options.folder }),
          ...(slash >= 0 ? { relativePath: this.options.path } : {}),
          ...(drop ? {} : { onConflict: this.options.replace ? "replace" : "fail" }),
          ...(this.file.type ? { filetype: this.file.type } : {}),
        }),
      },
    });
    const body = res.ok ? "" : await res.text();
    if ([404, 405, 501, 503].includes(res.status)) throw new UploadFailed(0, "unsupported");
    // A conflict at creation (a folder in the way, no free name) stays.
    if (res.status !== 201) throw new UploadFailed(res.status, body, res.status === 409);
    this.url = new URL(/** @type {string} */ (res.headers.get("location")), location.href).href;
    this.storedAs = dropPath(res.headers.get("x-drop-path"));
    this.offset = 0;
    remember(this.key, this.url);
  }

  /** Sends one chunk from the current offset. */
  #patch() {
    return new Promise((resolve, reject) => {
      const end = Math.min(this.file.size, this.offset + CHUNK);
      const xhr = new XMLHttpRequest();
      this.xhr = xhr;
      xhr.open("PATCH", /** @type {string} */ (this.url));
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      xhr.setRequestHeader("Upload-Offset", String(this.offset));
      xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
      const start = this.offset;
      xhr.upload.addEventListener("progress", (event) => {
        this.options.onProgress(start + event.loaded, this.file.size);
      });
      xhr.addEventListener("load", () => {
        this.xhr = null;
        if (xhr.status === 204) {
          this.offset = Number(xhr.getResponseHeader("upload-offset"));
          this.options.onProgress(this.offset, this.file.size);
          resolve(undefined);
        } else if (xhr.status === 409 || xhr.status === 423) {
          // Out of step (an earlier append landed late) or still busy: ask again.
          // Gone instead: it failed as it finished (its name taken meanwhile).
          const failure = new UploadFailed(xhr.status, xhr.responseText.slice(0, 200), true);
          this.#resumeOffset().then(
            (found) => found ? resolve(undefined) : reject(failure),
            reject,
          );
        } else {
          reject(new UploadFailed(xhr.status, xhr.responseText.slice(0, 200)));
        }
      });
      xhr.addEventListener("error", () => {
        this.xhr = null;
        reject(new Error("network"));
      });
      xhr.addEventListener("abort", () => {
        this.xhr = null;
        reject(new Error("aborted"));
      });
      xhr.send(this.file.slice(this.offset, end));
    });
  }

  /** @param {number} ms */
  #sleep(ms) {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        removeEventListener("online", done);
        this.wake = null;
        resolve(undefined);
      };
      const timer = setTimeout(done, ms);
      // Back online: no need to wait out the backoff.
      addEventListener("online", done);
      this.wake = done;
    });
  }

  #sleepUntilResumed() {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve(undefined);
      };
    });
  }
}

/**
 * Whether an answer may change on retry: server errors, a busy upload,
 * an offset out of step. Client errors (4xx) are final.
 * @param {number} status
 * @returns {boolean}
 */
function retryable(status) {
  return status >= 500 || status === 409 || status === 423 || status === 429;
}
