import { HttpError } from "./http_error.ts";

/** Digest algorithms Sluice can verify while streaming (`node:crypto` names). */
export type DigestAlgorithm = "sha256" | "sha512" | "md5";

/** Expected digests of an upload, by algorithm, as raw bytes. */
export type ExpectedDigests = Partial<Record<DigestAlgorithm, Uint8Array>>;

/** RFC 9530 algorithm keys Sluice verifies; other keys are ignored (RFC 9530 §2). */
const RFC9530_KEYS: Record<string, DigestAlgorithm> = { "sha-256": "sha256", "sha-512": "sha512" };

const LENGTHS: Record<DigestAlgorithm, number> = { sha256: 32, sha512: 64, md5: 16 };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(text: string, algorithm: DigestAlgorithm, field: string): Uint8Array {
  if (!BASE64.test(text) || text.length % 4 !== 0) {
    throw new HttpError(400, `Malformed ${field}`);
  }
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  if (bytes.length !== LENGTHS[algorithm]) throw new HttpError(400, `Malformed ${field}`);
  return bytes;
}

/**
 * Parses an RFC 9530 `Content-Digest` / `Repr-Digest` field: a structured
 * dictionary of `algorithm=:base64:` members. Unknown algorithms are ignored.
 *
 * @throws {HttpError} 400 when a member is malformed.
 *
 * @example
 * ```ts
 * parseDigestField("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", "Repr-Digest");
 * // { sha256: Uint8Array(32) }
 * ```
 */
export function parseDigestField(value: string, field: string): ExpectedDigests {
  const digests: ExpectedDigests = {};
  for (const member of value.split(",")) {
    const trimmed = member.trim();
    if (trimmed === "") continue;
    const match = /^([a-z][a-z0-9_\-.*]*)=:([^:]*):(;.*)?$/.exec(trimmed);
    if (!match) throw new HttpError(400, `Malformed ${field}`);
    const algorithm = RFC9530_KEYS[match[1]];
    if (algorithm) digests[algorithm] = decodeBase64(match[2], algorithm, field);
  }
  return digests;
}

/** The request headers digest parsing looks at. */
export interface DigestHeaders {
  get(name: string): string | null;
}

/**
 * Collects every digest the client declared for its upload, from
 * `Content-Digest`, `Repr-Digest` (RFC 9530) and `Content-MD5` (RFC 1864).
 * When two fields name the same algorithm with different values the upload
 * can never match, so that is reported as 400 at once.
 *
 * @throws {HttpError} 400 for malformed or contradictory fields.
 */
export function expectedDigests(headers: DigestHeaders): ExpectedDigests {
  const all: ExpectedDigests = {};
  const add = (found: ExpectedDigests) => {
    for (const [algorithm, bytes] of Object.entries(found) as [DigestAlgorithm, Uint8Array][]) {
      const previous = all[algorithm];
      if (previous && !equalBytes(previous, bytes)) {
        throw new HttpError(400, "Contradictory digest fields");
      }
      all[algorithm] = bytes;
    }
  };
  for (const field of ["Content-Digest", "Repr-Digest"]) {
    const value = headers.get(field);
    if (value !== null) add(parseDigestField(value, field));
  }
  const md5 = headers.get("content-md5");
  if (md5 !== null) add({ md5: decodeBase64(md5.trim(), "md5", "Content-MD5") });
  return all;
}

/**
 * Formats a `Repr-Digest` field value for a SHA-256 digest.
 *
 * @example
 * ```ts
 * formatReprDigest(sha256Bytes); // "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"
 * ```
 */
export function formatReprDigest(sha256: Uint8Array): string {
  return `sha-256=:${btoa(String.fromCharCode(...sha256))}:`;
}

/** Byte-wise equality of two digests (digests are not secrets). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
