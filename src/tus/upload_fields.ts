/**
 * Header fields of resumable uploads (tus 1.0.0 and the IETF draft): the
 * offset and length integers, structured-field booleans, the tus checksum
 * and `Upload-Metadata`. Strings in, plain data out; every malformed value
 * is a 400 with the field's name.
 *
 * @module
 */
import { HttpError } from "../http/http_error.ts";

/** Checksum algorithms of the tus checksum extension (`node:crypto` names). */
export type ChecksumAlgorithm = "sha1" | "sha256" | "md5";

/** Digest lengths in bytes, by algorithm. */
const CHECKSUM_LENGTHS: Record<ChecksumAlgorithm, number> = { sha1: 20, sha256: 32, md5: 16 };

/** The algorithms announced in `Tus-Checksum-Algorithm`. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["sha1", "sha256", "md5"];

/** A declared checksum of one append's content. */
export interface Checksum {
  algorithm: ChecksumAlgorithm;
  digest: Uint8Array;
}

/** 15 digits: the largest structured-field Integer (RFC 9651 §3.3.1). */
const INTEGER = /^\d{1,15}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses a non-negative integer field (`Upload-Offset`, `Upload-Length`):
 * digits only, at most 15 (the structured-field limit, and exact in a
 * double). Returns `null` when the field is absent.
 *
 * @throws {HttpError} 400 when present but not such a number.
 *
 * @example
 * ```ts
 * parseUploadInteger("1024", "Upload-Offset"); // 1024
 * ```
 */
export function parseUploadInteger(value: string | null, field: string): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (!INTEGER.test(text)) throw new HttpError(400, `Invalid ${field}`);
  return Number(text);
}

/**
 * Parses a structured-field Boolean (`?1` / `?0`, RFC 9651 §3.3.6), as in
 * `Upload-Complete`. Returns `null` when the field is absent.
 *
 * @throws {HttpError} 400 for any other value.
 */
export function parseStructuredBoolean(value: string | null, field: string): boolean | null {
  if (value === null) return null;
  const text = value.trim();
  if (text === "?1") return true;
  if (text === "?0") return false;
  throw new HttpError(400, `Invalid ${field}`);
}

function decodeBase64(text: string, field: string): Uint8Array {
  if (!BASE64.test(text)) throw new HttpError(400, `Invalid ${field}`);
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * Parses tus `Upload-Checksum: <algorithm> <base64 digest>`. Returns `null`
 * when absent.
 *
 * @throws {HttpError} 400 for an unsupported algorithm or a malformed digest.
 *
 * @example
 * ```ts
 * parseUploadChecksum("sha1 Kq5sNclPz7QV2+lfQIuc6R7oRu0="); // { algorithm: "sha1", digest }
 * ```
 */
export function parseUploadChecksum(value: string | null): Checksum | null {
  if (value === null) return null;
  const match = /^\s*([A-Za-z0-9-]+) +(\S+)\s*$/.exec(value);
  if (!match) throw new HttpError(400, "Invalid Upload-Checksum");
  const algorithm = match[1].toLowerCase() as ChecksumAlgorithm;
  if (!CHECKSUM_ALGORITHMS.includes(algorithm)) {
    throw new HttpError(400, "Unsupported checksum algorithm");
  }
  const digest = decodeBase64(match[2], "Upload-Checksum");
  if (digest.length !== CHECKSUM_LENGTHS[algorithm]) {
    throw new HttpError(400, "Invalid Upload-Checksum");
  }
  return { algorithm, digest };
}

/** A metadata key: no spaces, commas or control characters. */
const METADATA_KEY = /^[!-+\--~]+$/;

/**
 * Parses tus `Upload-Metadata`: comma-separated `key base64value` pairs (the
 * value may be absent), values decoded as UTF-8. Keys must be unique.
 *
 * @throws {HttpError} 400 for a malformed pair, bad base64 or UTF-8, or a
 * repeated key.
 *
 * @example
 * ```ts
 * parseUploadMetadata("filename d29ybGRfZG9taW5hdGlvbi5wZGY=,is_confidential");
 * // { filename: "world_domination.pdf", is_confidential: "" }
 * ```
 */
export function parseUploadMetadata(value: string | null): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null);
  if (value === null || value.trim() === "") return metadata;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (const pair of value.split(",")) {
    const parts = pair.trim().split(" ");
    const [key, encoded = ""] = parts;
    if (parts.length > 2 || !METADATA_KEY.test(key)) {
      throw new HttpError(400, "Invalid Upload-Metadata");
    }
    if (key in metadata) throw new HttpError(400, "Repeated key in Upload-Metadata");
    try {
      metadata[key] = decoder.decode(decodeBase64(encoded, "Upload-Metadata"));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, "Invalid UTF-8 in Upload-Metadata");
    }
  }
  return metadata;
}
