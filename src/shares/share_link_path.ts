/** Where share links live: `/_/s/<token>` (a file) and `/_/s/<token>/…` (a folder). */
export const SHARE_LINK_PREFIX = "/_/s/";

/** A share link's pathname, split. */
export interface ShareLinkPath {
  /** The raw token segment (not yet checked). */
  token: string;
  /** What follows the token: `""` or a path starting with `/`. */
  rest: string;
}

/**
 * Splits `/_/s/<token>[/rest]`; `null` when `pathname` is not under the
 * share prefix.
 *
 * @example
 * ```ts
 * parseShareLinkPath("/_/s/abc/d/e.txt"); // { token: "abc", rest: "/d/e.txt" }
 * ```
 */
export function parseShareLinkPath(pathname: string): ShareLinkPath | null {
  if (!pathname.startsWith(SHARE_LINK_PREFIX)) return null;
  const after = pathname.slice(SHARE_LINK_PREFIX.length);
  const slash = after.indexOf("/");
  if (slash === -1) return { token: after, rest: "" };
  return { token: after.slice(0, slash), rest: after.slice(slash) };
}

/**
 * The path (and query) to log for a request: under `/_/s/`, the token is
 * replaced by `id:<share id>` (or `id:-` when no share matched), so access
 * logs never hold a working link.
 *
 * @example
 * ```ts
 * logPath("/_/s/SECRET/a.txt?download", "k3j2"); // "/_/s/id:k3j2/a.txt?download"
 * ```
 */
export function logPath(pathAndQuery: string, shareId: string | null): string {
  if (!pathAndQuery.startsWith(SHARE_LINK_PREFIX)) return pathAndQuery;
  const after = pathAndQuery.slice(SHARE_LINK_PREFIX.length);
  const end = after.search(/[/?]/);
  const rest = end === -1 ? "" : after.slice(end);
  return `${SHARE_LINK_PREFIX}id:${shareId ?? "-"}${rest}`;
}
