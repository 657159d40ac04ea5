// Functions the share browser tests run inside the page (puppeteer
// serialises them with toString()). Plain JavaScript, like page_scripts.js.

/** @returns {boolean} whether the share dialog's QR image has loaded */
export function qrLoaded() {
  const img = /** @type {HTMLImageElement | null} */ (document.querySelector("#share-qr"));
  return !!img && img.complete && img.naturalWidth > 0 && !img.closest("[hidden]");
}

/** @returns {Promise<string>} what the clipboard holds */
export function clipboardText() {
  return navigator.clipboard.readText();
}

/** @param {string} selector @returns {string} the value of an input */
export function valueOf(selector) {
  return /** @type {HTMLInputElement} */ (document.querySelector(selector))?.value ?? "";
}

/** @returns {boolean} whether the page fits its viewport's width (no sideways scrolling) */
export function fitsWidth() {
  return document.documentElement.scrollWidth <= globalThis.innerWidth;
}

/** @returns {string} the page's visible text */
export function bodyText() {
  return document.body.innerText;
}

/** @param {string} id @param {string} text @returns {boolean} a shares-page row's use text contains `text` */
export function shareUsesInclude(id, text) {
  return document.querySelector(`tr[data-id="${id}"] .share-uses`)?.textContent?.includes(text) ??
    false;
}

/** @param {string} id @returns {boolean} whether the shares page has no row for `id` */
export function shareRowGone(id) {
  return document.querySelector(`tr[data-id="${id}"]`) === null;
}
