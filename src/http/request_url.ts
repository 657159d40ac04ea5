/**
 * A `Host` value RFC 3986 allows: a reg-name or an IP literal, and an
 * optional port.
 */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{0,5})?$/;

/**
 * The request's URL, or `null` when its `Host` is not a valid host (RFC 9112
 * §3.2: answer 400). Deno builds `request.url` from `Host` and the target,
 * so a `Host` holding `/`, `?` or `#` would otherwise rewrite the path.
 */
export function requestUrl(request: Request): URL | null {
  const host = request.headers.get("host");
  if (host !== null && !HOST.test(host)) return null;
  try {
    return new URL(request.url);
  } catch {
    return null;
  }
}
