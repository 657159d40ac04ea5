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
  // The folder itself (removed, renamed) or anything inside it.
  return clean.startsWith(dir) || clean + "/" === dir;
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
  /** @type {EventSource | null} */
  let source = null;
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
  const connect = () => {
    const es = new EventSource("/_/events");
    source = es;
    for (const type of CHANGE_EVENTS) es.addEventListener(type, onEvent);
    // The server lost track of what we missed: catch up from a fresh listing.
    es.addEventListener("reset", schedule);
    es.addEventListener("open", () => {
      onStatus("live");
      // Events may have been missed while disconnected.
      if (interrupted) schedule();
      interrupted = false;
    });
    es.addEventListener("error", () => {
      interrupted = true;
      onStatus(es.readyState === EventSource.CLOSED ? "off" : "reconnecting");
    });
  };
  const disconnect = () => {
    clearTimeout(timer);
    source?.close();
    source = null;
  };
  // A page kept in the back/forward cache would keep its stream open, and
  // browsers allow only six connections per host over HTTP/1.1: a few
  // folder clicks would leave none for the next page. Close on leaving,
  // reconnect (and catch up) when the page is shown again.
  const onPageHide = () => {
    if (source) interrupted = true;
    disconnect();
  };
  const onPageShow = (/** @type {PageTransitionEvent} */ event) => {
    if (event.persisted && source === null) connect();
  };
  addEventListener("pagehide", onPageHide);
  addEventListener("pageshow", onPageShow);
  connect();
  return () => {
    removeEventListener("pagehide", onPageHide);
    removeEventListener("pageshow", onPageShow);
    disconnect();
  };
}
