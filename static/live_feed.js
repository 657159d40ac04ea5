// Subscribes to /_/events and reports when the current folder may have changed.

const CHANGE_EVENTS = ["created", "modified", "removed", "renamed"];

/**
 * Whether a change at `path` (relative to ROOT) can alter what the listing of
 * `dir` (relative to ROOT, "" or ending in "/") shows: anything inside it, as
 * a change deep down also changes the modification time of a subfolder.
 * @param {string} path
 * @param {string} dir
 * @returns {boolean}
 */
export function affects(path, dir) {
  const clean = path.replace(/^\/+/, "");
  return clean.startsWith(dir);
}

/**
 * Watches the change feed; calls `onChange` (debounced) when `dir` may have
 * changed, after a reconnect, and on `reset`. `onStatus` receives "live",
 * "reconnecting" or "off".
 * @param {string} dir decoded folder path relative to ROOT, "" or ending in "/"
 * @param {() => void} onChange
 * @param {(status: "live" | "reconnecting" | "off") => void} onStatus
 * @returns {() => void} stops watching
 */
export function watchFolder(dir, onChange, onStatus) {
  const source = new EventSource("/_/events");
  /** @type {number | undefined} */
  let timer;
  let interrupted = false;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, 100);
  };
  /** @param {Event} event */
  const onEvent = (event) => {
    let data;
    try {
      data = JSON.parse(/** @type {MessageEvent} */ (event).data);
    } catch {
      return;
    }
    const paths = [data.path, data.from, data.oldPath].filter((p) => typeof p === "string");
    if (paths.some((p) => affects(p, dir))) schedule();
  };
  for (const type of CHANGE_EVENTS) source.addEventListener(type, onEvent);
  // The server lost track of what we missed: catch up from a fresh listing.
  source.addEventListener("reset", schedule);
  source.addEventListener("open", () => {
    onStatus("live");
    // Events may have been missed while disconnected.
    if (interrupted) schedule();
    interrupted = false;
  });
  source.addEventListener("error", () => {
    interrupted = true;
    onStatus(source.readyState === EventSource.CLOSED ? "off" : "reconnecting");
  });
  return () => {
    clearTimeout(timer);
    source.close();
  };
}
