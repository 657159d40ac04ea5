import type { RequestContext } from "../context.ts";
import { FileWriter, type WriteTarget } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath } from "../path/decode_path.ts";

/** Where a resumable upload will land, decided when it is created. */
export interface UploadTarget {
  /** Decoded path segments below ROOT. */
  segments: string[];
  /** Refuse to replace a file that exists when the upload finishes. */
  failIfExists: boolean;
  /** The target resolved now (its parents, what exists there). */
  resolved: WriteTarget;
}

/**
 * Splits `relativePath` (a plain `/`-separated path, as browsers'
 * `webkitRelativePath` and Uppy give it, not percent-encoded).
 */
function relativeSegments(relativePath: string): string[] {
  const segments = relativePath.split("/").filter((s) => s !== "");
  if (segments.some((s) => s === "." || s === ".." || s.includes("\\"))) {
    throw new HttpError(400, "Invalid relativePath");
  }
  return segments;
}

/**
 * Decides the file a resumable upload writes, from its metadata, with the
 * same rules as `PUT` (containment, dot-entries, reserved names, a folder
 * in the way). The one place that maps upload metadata to a path:
 *
 * - `folder`: the target folder as a URL path (`/photos/2024/`, percent-
 *   encoding allowed); ROOT when absent.
 * - `relativePath`: the file's path below `folder`, ending in its name; when
 *   present it names the file, and `filename` is only a label.
 * - `filename`: the file's name, required unless `relativePath` is given.
 * - `onConflict`: `fail` to refuse replacing an existing file (like
 *   `If-None-Match: *` on the request, which works too), `replace` (the
 *   default).
 *
 * @throws {HttpError} 400 for missing or invalid names, 403 for the
 * reserved `/_/` tree, 409 when a folder or file is in the way, 412 when
 * the file exists and the upload must not replace it.
 */
export function resolveUploadTarget(
  ctx: RequestContext,
  metadata: Record<string, string>,
  headers: Headers,
): UploadTarget {
  const folder = decodePath(metadata.folder ?? "/").segments;
  let name: string[];
  if (metadata.relativePath !== undefined && metadata.relativePath !== "") {
    name = relativeSegments(metadata.relativePath);
  } else {
    const filename = metadata.filename;
    if (filename === undefined || filename === "") {
      throw new HttpError(400, "Upload-Metadata needs a filename");
    }
    if (
      filename.includes("/") || filename.includes("\\") || filename === "." || filename === ".."
    ) {
      throw new HttpError(400, "Invalid filename");
    }
    name = [filename];
  }
  const segments = [...folder, ...name];
  if (segments.length === 0) throw new HttpError(400, "Upload-Metadata needs a filename");
  checkWritablePath(segments, ctx.config.dotfiles);
  if (segments[0] === "_") throw new HttpError(403, "The /_/ folder is reserved");
  const onConflict = metadata.onConflict ?? "replace";
  if (onConflict !== "replace" && onConflict !== "fail") {
    throw new HttpError(400, "onConflict must be fail or replace");
  }
  const failIfExists = onConflict === "fail" || headers.get("if-none-match")?.trim() === "*";
  const resolved = new FileWriter(ctx.store.root).locate(segments);
  if (resolved.existing?.isDirectory) throw new HttpError(409, "Target is a folder");
  if (failIfExists && (resolved.existing !== null || resolved.isSymlink)) {
    throw new HttpError(412, "File exists");
  }
  return { segments, failIfExists, resolved };
}
