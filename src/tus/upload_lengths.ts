/**
 * How long an upload is, from what its requests say: tus `Upload-Length` /
 * `Upload-Defer-Length`, the IETF draft's `Upload-Length` and "the rest is
 * this request's content" (`Upload-Complete: ?1` with a `Content-Length`).
 * Every indication must agree with the others; a disagreement is a 400.
 *
 * @module
 */
import { HttpError } from "../http/http_error.ts";
import type { UploadProtocol } from "./upload_protocol.ts";

/** The length-related fields of a creation request, parsed. */
export interface CreationFields {
  uploadLength: number | null;
  /** The raw `Upload-Defer-Length` value (tus), `null` when absent. */
  deferLength: string | null;
  /** `Upload-Complete` (IETF), `null` when absent. */
  complete: boolean | null;
  contentLength: number | null;
}

/**
 * The length a creation request declares (`null`: not known yet).
 *
 * @throws {HttpError} 400 when tus sends neither or both of `Upload-Length`
 * and `Upload-Defer-Length: 1`, when an IETF creation lacks
 * `Upload-Complete`, or when the indications disagree.
 *
 * @example
 * ```ts
 * creationLength({ kind: "tus" }, { uploadLength: 10, deferLength: null, complete: null, contentLength: 0 }); // 10
 * ```
 */
export function creationLength(protocol: UploadProtocol, fields: CreationFields): number | null {
  if (protocol.kind === "tus") {
    if (fields.deferLength !== null && fields.deferLength.trim() !== "1") {
      throw new HttpError(400, "Invalid Upload-Defer-Length");
    }
    if ((fields.uploadLength === null) === (fields.deferLength === null)) {
      throw new HttpError(400, "Send exactly one of Upload-Length and Upload-Defer-Length");
    }
    return fields.uploadLength;
  }
  if (fields.complete === null) throw new HttpError(400, "Missing Upload-Complete");
  return agree(fields.uploadLength, fields.complete ? fields.contentLength : null, 0);
}

/** The length-related state and fields of an append, parsed. */
export interface AppendFields {
  /** The upload's recorded length, `null` while unknown. */
  known: number | null;
  /** The append's `Upload-Length`, if any. */
  uploadLength: number | null;
  offset: number;
  /** Whether the append completes the upload (IETF `Upload-Complete: ?1`). */
  completes: boolean;
  contentLength: number | null;
}

/**
 * The upload's length after this append's indications (`null`: still
 * unknown).
 *
 * @throws {HttpError} 400 when they disagree with each other or with the
 * recorded length, or make it shorter than the offset.
 */
export function appendLength(fields: AppendFields): number | null {
  const declared = agree(fields.known, fields.uploadLength, 0);
  const rest = fields.completes ? fields.contentLength : null;
  const length = agree(declared, rest, fields.offset);
  if (length !== null && length < fields.offset) {
    throw new HttpError(400, "Inconsistent upload length");
  }
  return length;
}

/** One length from two indications (`rest` counts from `offset`). */
function agree(length: number | null, rest: number | null, offset: number): number | null {
  if (rest === null) return length;
  if (length !== null && length !== offset + rest) {
    throw new HttpError(400, "Inconsistent upload length");
  }
  return offset + rest;
}
