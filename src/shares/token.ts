/**
 * The secrets of share links: tokens, their hashes, share ids and share
 * passwords. Only hashes are ever stored; comparisons take constant time.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";

/** Random bytes in a token: 192 bits, well above the 128 a link needs. */
const TOKEN_BYTES = 24;

/** What a token looks like: 32 base64url characters (24 bytes). */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;

/** What a share id looks like: 12 lowercase base32 characters. */
const ID_SHAPE = /^[a-z2-7]{12}$/;

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** PBKDF2 rounds for share passwords: slow for guessing, fast enough per request. */
const PASSWORD_ROUNDS = 100_000;

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A new share token from `crypto.getRandomValues`: 32 base64url characters.
 *
 * @example
 * ```ts
 * newToken(); // "q3J0…" (32 characters)
 * ```
 */
export function newToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)));
}

/** Whether `value` has the length and alphabet of a token (`newToken`). */
export function isTokenShaped(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

/** A new public share id (12 base32 characters, 60 bits): names a share in lists and logs. */
export function newShareId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => BASE32[b & 31]).join("");
}

/** Whether `value` has the shape of a share id (`newShareId`). */
export function isShareIdShaped(value: string): boolean {
  return ID_SHAPE.test(value);
}

/** The SHA-256 of a token, as hex: what the store keeps instead of the token. */
export async function hashToken(token: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(token)));
}

/** Whether two strings are equal, in time that depends only on their lengths. */
export function sameSecret(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}

/** A stored share password: PBKDF2-SHA-256 of the password with a random salt. */
export interface PasswordHash {
  salt: string;
  hash: string;
}

async function pbkdf2(password: string, salt: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: encoder.encode(salt), iterations: PASSWORD_ROUNDS },
    key,
    256,
  );
  return hex(bits);
}

/** Hashes a new share password with a fresh salt. */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = base64url(crypto.getRandomValues(new Uint8Array(16)));
  return { salt, hash: await pbkdf2(password, salt) };
}

/** Whether `password` is the one `stored` was made from (constant-time comparison). */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  return sameSecret(await pbkdf2(password, stored.salt), stored.hash);
}

/**
 * The cookie value that proves a browser gave a share's password: a hash of
 * the token and the stored password hash. Only someone who holds the link and
 * passed the password check (or reads the store) can compute it, and it stops
 * working when the share goes away; no server-side session is needed, so it
 * works on every cluster instance and after a restart.
 */
export async function passCookieValue(token: string, stored: PasswordHash): Promise<string> {
  return await hashToken(`${token}\n${stored.salt}\n${stored.hash}`);
}
