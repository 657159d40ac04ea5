// A tiny helper for building elements without innerHTML (names stay text).

/**
 * A new element with attributes and, optionally, text content.
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * `url` resolved against this page, without credentials: `fetch()` refuses
 * URLs that carry them, and a page opened as `http://user:pw@host/` resolves
 * every relative link with them.
 * @param {string} url
 * @returns {string}
 */
export function plainUrl(url) {
  const resolved = new URL(url, location.href);
  resolved.username = "";
  resolved.password = "";
  return resolved.href;
}

/**
 * A relative URL for `path` (a name, or a `/`-separated path below a
 * folder), each segment percent-encoded; folders end with `/`.
 * @param {string} path
 * @param {boolean} [isDir]
 * @returns {string}
 */
export function pathHref(path, isDir = false) {
  return path.split("/").map(encodeURIComponent).join("/") + (isDir ? "/" : "");
}
