/**
 * Which resumable-upload protocol a request speaks, and the response
 * header fields each one expects. Sluice speaks tus 1.0.0 and the IETF
 * "Resumable Uploads for HTTP" draft, both as tus-js-client sends it with
 * `protocol: "ietf-draft-05"` (interop version 6) and as the latest draft
 * (draft-ietf-httpbis-resumable-upload-12, interop versions 7 and 8).
 *
 * @module
 */
import { formatHttpDate } from "../http/http_date.ts";
import { HttpError } from "../http/http_error.ts";
import { CHECKSUM_ALGORITHMS } from "./upload_fields.ts";

/** The tus version Sluice speaks. */
export const TUS_VERSION = "1.0.0";

/** The tus extensions Sluice supports. */
export const TUS_EXTENSIONS =
  "creation,creation-with-upload,creation-defer-length,termination,expiration,checksum";

/** IETF draft interop versions Sluice accepts (draft-05 is 6; the latest drafts 7 and 8). */
export const IETF_INTEROP_VERSIONS: readonly number[] = [6, 7, 8];

/** The media type of tus appends. */
export const TUS_APPEND_TYPE = "application/offset+octet-stream";

/** The media type of IETF appends (draft-05 and later). */
export const IETF_APPEND_TYPE = "application/partial-upload";

/** The protocol of one request. */
export type UploadProtocol = { kind: "tus" } | { kind: "ietf"; interop: number | null };

/** What response headers need to know about an upload. */
export interface UploadProgress {
  offset: number;
  /** `null` while the length is deferred. */
  length: number | null;
  complete: boolean;
  /** When the upload expires (epoch ms). */
  expiresAt: number;
}

/** The request fields protocol detection looks at. */
export interface ProtocolHeaders {
  get(name: string): string | null;
}

/**
 * Detects the protocol: `Tus-Resumable` means tus (only 1.0.0 is
 * accepted); `Upload-Draft-Interop-Version` or `Upload-Complete` means the
 * IETF draft. Returns `null` when the request names neither.
 *
 * @throws {HttpError} 412 with `Tus-Version` for another tus version, 400
 * for an interop version Sluice does not speak.
 *
 * @example
 * ```ts
 * detectProtocol(new Headers({ "tus-resumable": "1.0.0" })); // { kind: "tus" }
 * ```
 */
export function detectProtocol(headers: ProtocolHeaders): UploadProtocol | null {
  const tus = headers.get("tus-resumable");
  if (tus !== null) {
    if (tus.trim() !== TUS_VERSION) {
      throw new HttpError(412, "Unsupported tus version", { "tus-version": TUS_VERSION });
    }
    return { kind: "tus" };
  }
  const interop = headers.get("upload-draft-interop-version");
  if (interop !== null) {
    const version = /^\d{1,3}$/.test(interop.trim()) ? Number(interop) : NaN;
    if (!IETF_INTEROP_VERSIONS.includes(version)) {
      throw new HttpError(400, "Unsupported Upload-Draft-Interop-Version");
    }
    return { kind: "ietf", interop: version };
  }
  if (headers.get("upload-complete") !== null) return { kind: "ietf", interop: null };
  return null;
}

/**
 * Like `detectProtocol`, for requests that must name one.
 *
 * @throws {HttpError} 412 (with `Tus-Version`) when the request names none.
 */
export function requireProtocol(headers: ProtocolHeaders): UploadProtocol {
  const protocol = detectProtocol(headers);
  if (protocol === null) {
    throw new HttpError(412, "Missing Tus-Resumable or Upload-Draft-Interop-Version", {
      "tus-version": TUS_VERSION,
    });
  }
  return protocol;
}

/** The `Upload-Limit` dictionary of the IETF draft. */
export function uploadLimit(maxSize: number, maxAgeMs: number | null): string {
  const members = [`max-size=${maxSize}`];
  if (maxAgeMs !== null) members.push(`max-age=${Math.max(0, Math.floor(maxAgeMs / 1000))}`);
  return members.join(", ");
}

/**
 * Headers of an `OPTIONS` answer on the upload endpoint: tus discovery and
 * the IETF `Accept-Patch` / `Upload-Limit`, whichever protocol asks.
 */
export function discoveryHeaders(maxSize: number): Record<string, string> {
  return {
    "tus-resumable": TUS_VERSION,
    "tus-version": TUS_VERSION,
    "tus-max-size": String(maxSize),
    "tus-extension": TUS_EXTENSIONS,
    "tus-checksum-algorithm": CHECKSUM_ALGORITHMS.join(","),
    "accept-patch": `${IETF_APPEND_TYPE}, ${TUS_APPEND_TYPE}`,
    "upload-limit": uploadLimit(maxSize, null),
  };
}

/**
 * The state headers of an upload in `protocol`'s words: `Upload-Offset`,
 * `Upload-Length` (or `Upload-Defer-Length`) and `Upload-Expires` for tus;
 * `Upload-Offset`, `Upload-Complete`, `Upload-Length` and `Upload-Limit`
 * for the IETF draft. Never cached.
 */
export function progressHeaders(
  protocol: UploadProtocol,
  upload: UploadProgress,
  maxSize: number,
  now: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    "upload-offset": String(upload.offset),
    "cache-control": "no-store",
  };
  if (protocol.kind === "tus") {
    headers["tus-resumable"] = TUS_VERSION;
    if (upload.length === null) headers["upload-defer-length"] = "1";
    else headers["upload-length"] = String(upload.length);
    headers["upload-expires"] = formatHttpDate(new Date(upload.expiresAt));
    return headers;
  }
  if (protocol.interop !== null) headers["upload-draft-interop-version"] = String(protocol.interop);
  headers["upload-complete"] = upload.complete ? "?1" : "?0";
  if (upload.length !== null) headers["upload-length"] = String(upload.length);
  headers["upload-limit"] = uploadLimit(maxSize, upload.expiresAt - now);
  return headers;
}

/**
 * Checks an append's `Content-Type`: `application/offset+octet-stream` for
 * tus, `application/partial-upload` for the IETF draft (draft-03 clients
 * send none, which is accepted too).
 *
 * @throws {HttpError} 415 for anything else.
 */
export function checkAppendType(protocol: UploadProtocol, contentType: string | null): void {
  const type = contentType?.split(";")[0].trim().toLowerCase() ?? null;
  if (protocol.kind === "tus") {
    if (type !== TUS_APPEND_TYPE) {
      throw new HttpError(415, `Content-Type must be ${TUS_APPEND_TYPE}`);
    }
    return;
  }
  if (type !== null && type !== IETF_APPEND_TYPE) {
    throw new HttpError(415, `Content-Type must be ${IETF_APPEND_TYPE}`);
  }
}
