/** Name of the cookie that remembers a share's password was given (path-scoped to its link). */
export const PASS_COOKIE = "sluice_share";

/**
 * The value of cookie `name` in a `Cookie` header, or `null`.
 *
 * @example
 * ```ts
 * cookieValue("a=1; sluice_share=abc", "sluice_share"); // "abc"
 * ```
 */
export function cookieValue(header: string | null, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Where and how long the password cookie of one share link applies. */
export interface PassCookieScope {
  /** The link's own path, `/_/s/<token>`: the cookie goes nowhere else. */
  path: string;
  /** Sent over HTTPS only. */
  secure: boolean;
  /** The share's expiry (epoch ms), or `null`: a session cookie. */
  expiresAt: number | null;
  now: number;
}

/**
 * The `Set-Cookie` value that remembers a share's password for its link:
 * `HttpOnly`, `SameSite=Lax`, scoped to the link's path, and ending with the
 * share.
 *
 * @example
 * ```ts
 * passCookieHeader("v", { path: "/_/s/t", secure: false, expiresAt: null, now: 0 });
 * // "sluice_share=v; Path=/_/s/t; HttpOnly; SameSite=Lax"
 * ```
 */
export function passCookieHeader(value: string, scope: PassCookieScope): string {
  const parts = [`${PASS_COOKIE}=${value}`, `Path=${scope.path}`, "HttpOnly", "SameSite=Lax"];
  if (scope.secure) parts.push("Secure");
  if (scope.expiresAt !== null) {
    parts.push(`Max-Age=${Math.max(1, Math.ceil((scope.expiresAt - scope.now) / 1000))}`);
  }
  return parts.join("; ");
}
