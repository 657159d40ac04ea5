import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthUser } from "../config/parse_config.ts";

/** Credentials from an `Authorization: Basic` header. */
export interface BasicCredentials {
  user: string;
  password: string;
}

/**
 * Parses `Authorization: Basic <base64(user:password)>` (RFC 7617), decoding
 * the credentials as UTF-8. Returns `null` for any other scheme or a
 * malformed value.
 *
 * @example
 * ```ts
 * parseBasicAuth("Basic YWxpY2U6c2VjcmV0"); // { user: "alice", password: "secret" }
 * ```
 */
export function parseBasicAuth(header: string | null): BasicCredentials | null {
  if (header === null) return null;
  const match = /^basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header.trim());
  if (!match) return null;
  let decoded: string;
  try {
    const bytes = Uint8Array.from(atob(match[1]), (c) => c.charCodeAt(0));
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text, "utf8").digest());
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
}

/**
 * Whether `given` is the password `stored` describes: either a plain password
 * or `sha256:<hex>`. Both sides are reduced to SHA-256 digests of equal
 * length and compared in constant time, so timing reveals neither the
 * password nor its length.
 */
export function passwordMatches(stored: string, given: string): boolean {
  const expected = stored.startsWith("sha256:") ? fromHex(stored.slice(7)) : sha256(stored);
  return timingSafeEqual(expected, sha256(given));
}

const NOBODY: AuthUser = { user: "", password: "sha256:" + "0".repeat(64), access: "ro" };

/**
 * The configured user these credentials belong to, or `null` when the user
 * is unknown or the password is wrong. An unknown user costs the same
 * comparison as a known one.
 */
export function authenticate(
  users: readonly AuthUser[],
  credentials: BasicCredentials,
): AuthUser | null {
  const candidate = users.find((u) => u.user === credentials.user);
  const ok = passwordMatches((candidate ?? NOBODY).password, credentials.password);
  return ok && candidate ? candidate : null;
}
