import { HttpError } from "../http/http_error.ts";
import { decodePath } from "../path/decode_path.ts";

/** A `Depth` header value. */
export type Depth = "0" | "1" | "infinity";

/**
 * Parses `Depth` (RFC 4918 §10.2). A missing header means `infinity`, as
 * the RFC says for PROPFIND, COPY, MOVE, DELETE and LOCK.
 *
 * @throws {HttpError} 400 for a value outside `allowed`.
 *
 * @example
 * ```ts
 * parseDepth("1", ["0", "1", "infinity"]); // "1"
 * parseDepth(null, ["0", "infinity"]); // "infinity"
 * ```
 */
export function parseDepth(value: string | null, allowed: readonly Depth[]): Depth {
  const depth = value === null ? "infinity" : value.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(depth)) {
    throw new HttpError(400, `Invalid Depth header (use ${allowed.join(", ")})`);
  }
  return depth as Depth;
}

/**
 * `Overwrite: T` or `F` (RFC 4918 §10.6); `null` when absent. Sluice treats
 * an absent header as `F` (never replace without being asked), which the
 * UI's rename relies on; WebDAV clients send the header.
 *
 * @throws {HttpError} 400 for any other value.
 */
export function parseOverwrite(value: string | null): boolean | null {
  if (value === null) return null;
  const flag = value.trim().toUpperCase();
  if (flag === "T") return true;
  if (flag === "F") return false;
  throw new HttpError(400, 'Invalid Overwrite header (use "T" or "F")');
}

/**
 * Where a `Destination` header points on this server (RFC 4918 §10.3), as
 * decoded path segments and whether it ends in `/`. Absolute URLs must name
 * this server; paths are resolved against the request URL.
 *
 * @throws {HttpError} 400 when missing, malformed, on another server,
 * holding credentials, or under the reserved `/_/`; 502 never (no proxying).
 */
export function parseDestination(
  value: string | null,
  url: URL,
): { segments: string[]; trailingSlash: boolean } {
  if (value === null) throw new HttpError(400, "Destination header is required");
  let target: URL;
  try {
    target = new URL(value, url);
  } catch {
    throw new HttpError(400, "Invalid Destination header");
  }
  if (target.protocol !== url.protocol || target.host !== url.host) {
    throw new HttpError(400, "Destination must be on this server");
  }
  if (target.username !== "" || target.password !== "") {
    throw new HttpError(400, "Destination must not hold credentials");
  }
  const decoded = decodePath(target.pathname);
  // Checked decoded: `/%5f/` is `/_/` too.
  if (decoded.segments[0] === "_") throw new HttpError(400, "Destination is a reserved path");
  return decoded;
}

/** Longest lock Sluice grants, in seconds (clients asking for more or `Infinite` get this). */
const MAX_LOCK_SECONDS = 7 * 24 * 3600;

/** What a lock gets when the client names no timeout. */
const DEFAULT_LOCK_SECONDS = 3600;

/**
 * Parses `Timeout` (RFC 4918 §10.7): the first `Second-N` or `Infinite`
 * in the list, capped at `MAX_LOCK_SECONDS`; the default when absent or
 * when no entry is understood.
 *
 * @example
 * ```ts
 * parseTimeout("Infinite, Second-4100000000"); // 604800
 * parseTimeout("Second-60"); // 60
 * ```
 */
export function parseTimeout(value: string | null): number {
  if (value === null) return DEFAULT_LOCK_SECONDS;
  for (const part of value.split(",")) {
    const item = part.trim();
    if (/^infinite$/i.test(item)) return MAX_LOCK_SECONDS;
    const seconds = /^second-(\d{1,12})$/i.exec(item);
    if (seconds) return Math.max(1, Math.min(Number(seconds[1]), MAX_LOCK_SECONDS));
  }
  return DEFAULT_LOCK_SECONDS;
}

/**
 * The token of a `Lock-Token` header (`<urn:uuid:…>`, RFC 4918 §10.5).
 *
 * @throws {HttpError} 400 when missing or not a Coded-URL.
 */
export function parseLockToken(value: string | null): string {
  const match = value === null ? null : /^\s*<([^<>\s]+)>\s*$/.exec(value);
  if (match === null) throw new HttpError(400, "Lock-Token header must be <token>");
  return match[1];
}
