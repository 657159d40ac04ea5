import type { FileInfo } from "../fs/file_store.ts";
import { makeEtag } from "../http/etag.ts";
import { HttpError } from "../http/http_error.ts";
import { evaluatePreconditions } from "../http/preconditions.ts";

/**
 * Answers 412 unless `If-Match` / `If-None-Match` (and `If-Unmodified-Since`)
 * allow a write over `current` (`null` when nothing exists at the path).
 * Validators are computed exactly as for reads, so an `ETag` from `GET` works.
 *
 * @throws {HttpError} 412.
 */
export function checkWritePreconditions(request: Request, current: FileInfo | null): void {
  const validators = current === null
    ? null
    : { etag: makeEtag(current), lastModified: current.mtime };
  if (evaluatePreconditions(request.method, request.headers, validators) !== "proceed") {
    throw new HttpError(412, "Precondition failed");
  }
}
