// Functions the browser tests run inside the page (puppeteer serialises them
// with toString()). Plain JavaScript so the Deno type check, which has no DOM
// types, does not look inside them.

/** @returns {string[]} names of the visible listing rows in order */
export function visibleNames() {
  return [...document.querySelectorAll("#listing tbody tr[data-name]")]
    .filter((r) => !r.hidden)
    .map((r) => r.dataset.name ?? "");
}

/** @param {string} selector @returns {string | null} */
export function textOf(selector) {
  return document.querySelector(selector)?.textContent ?? null;
}

/** @param {string} selector @returns {string[]} */
export function textsOf(selector) {
  return [...document.querySelectorAll(selector)].map((el) => el.textContent ?? "");
}

/** @param {string} selector @returns {boolean | null} */
export function hiddenOf(selector) {
  const el = document.querySelector(selector);
  return el ? el.hidden : null;
}

/** @param {string} selector @param {string} name @returns {string | null} */
export function attrOf(selector, name) {
  return document.querySelector(selector)?.getAttribute(name) ?? null;
}

/** @param {string} selector @returns {string | null} the resolved href */
export function hrefOf(selector) {
  const a = document.querySelector(selector);
  return a instanceof HTMLAnchorElement ? a.href : null;
}

/** @param {string} selector @param {string} value */
export function setValue(selector, value) {
  const el = document.querySelector(selector);
  el.value = value;
}

/** @param {string} selector @returns {[number, number]} value and max of a progress bar */
export function progressOf(selector) {
  const p = document.querySelector(selector);
  return [p.value, p.max];
}

/**
 * Marks every visible, enabled, focusable control with data-tab-probe and
 * describes them.
 * @returns {string[]}
 */
export function markFocusableControls() {
  const selector = "a[href], button, input, select, textarea, summary, [tabindex]";
  const all = [...document.querySelectorAll(selector)].filter((el) =>
    !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== "hidden"
  );
  all.forEach((el, i) => el.dataset.tabProbe = String(i));
  document.activeElement?.blur();
  return all.map((el) =>
    `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${
      (el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 40)
    }"`
  );
}

/** @returns {string | null} the probe mark of the focused element */
export function activeProbe() {
  return document.activeElement?.dataset?.tabProbe ?? null;
}

/** @returns {string} the outline style of the focused element */
export function activeOutline() {
  return getComputedStyle(document.activeElement).outlineStyle;
}

/** @param {number} after @returns {boolean} the video plays past `after` seconds */
export function videoPlayingPast(after) {
  const video = document.querySelector("video");
  return video !== null && !video.seeking && !video.paused && video.currentTime > after;
}

/** @returns {number} */
export function videoTime() {
  return document.querySelector("video")?.currentTime ?? -1;
}

/** @param {number} seconds */
export function seekVideo(seconds) {
  document.querySelector("video").currentTime = seconds;
}

/** @param {string} selector an upload list item */
export function uploadItem(selector) {
  const li = document.querySelector(selector);
  const bar = li.querySelector("progress");
  return {
    status: li.querySelector(".upload-status")?.textContent ?? "",
    value: bar.value,
    max: bar.max,
    events: Number(li.dataset.progressEvents ?? 0),
  };
}

/** @param {string} selector @param {string} expected @returns {boolean} some match has this text */
export function someTextIs(selector, expected) {
  return [...document.querySelectorAll(selector)].some((el) => el.textContent === expected);
}

/** @param {string} selector @param {string} pattern @returns {boolean} its text matches the RegExp source */
export function textMatches(selector, pattern) {
  return new RegExp(pattern).test(document.querySelector(selector)?.textContent ?? "");
}

/** @param {string} selector @returns {boolean} the image has loaded and decoded */
export function imageLoaded(selector) {
  const img = document.querySelector(selector);
  return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
}

/**
 * Drops files made in the page onto the document, as a user dragging them
 * from the desktop would (dragenter, dragover, drop with a DataTransfer).
 * @param {{ name: string, text: string }[]} specs
 * @returns {boolean} whether the page accepted the drop (called preventDefault)
 */
export function dropFiles(specs) {
  const transfer = new DataTransfer();
  for (const { name, text } of specs) {
    transfer.items.add(new File([text], name, { type: "text/plain" }));
  }
  const init = { bubbles: true, cancelable: true, dataTransfer: transfer };
  const target = document.querySelector("#dropzone") ?? document.body;
  target.dispatchEvent(new DragEvent("dragenter", init));
  target.dispatchEvent(new DragEvent("dragover", init));
  const drop = new DragEvent("drop", init);
  target.dispatchEvent(drop);
  return drop.defaultPrevented;
}

/** @param {number} after @returns {boolean} */
export function audioPlayingPast(after) {
  const audio = document.querySelector("dialog.preview[open] audio");
  return audio !== null && !audio.seeking && !audio.paused && audio.currentTime > after;
}

/** @param {number} seconds */
export function seekAudio(seconds) {
  document.querySelector("dialog.preview[open] audio").currentTime = seconds;
}

/**
 * @param {string} container
 * @param {string} items
 * @returns {string[]} labels of the `items` closer than 4 px to the sides of
 *   `container` (or past them)
 */
export function overflowing(container, items) {
  const box = document.querySelector(container)?.getBoundingClientRect();
  if (!box) return ["(no container)"];
  return [...document.querySelectorAll(items)]
    .filter((item) => {
      const r = item.getBoundingClientRect();
      return r.left < box.left + 4 || r.right > box.right - 4;
    })
    .map((item) => item.getAttribute("aria-label") ?? item.textContent ?? "");
}

/** @param {string} selector @returns {boolean | null} whether it takes up space on the page */
export function isDisplayed(selector) {
  const el = document.querySelector(selector);
  return el ? el.getClientRects().length > 0 : null;
}

/** @returns {string | null} the aria-label of the focused element, or its tag when it has none */
export function focusedLabel() {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  return el.getAttribute("aria-label") ?? el.tagName;
}

/** @param {string} selector */
export function focusOn(selector) {
  /** @type {HTMLElement | null} */ (document.querySelector(selector))?.focus();
}
