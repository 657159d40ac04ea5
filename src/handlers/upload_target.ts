import type { RequestContext } from "../context.ts";
import { FileWriter, type WriteTarget } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath } from "../path/decode_path.ts";
import { type DropTarget, reserveDrop } from "../shares/drop_box.ts";
import type { ShareRecord } from "../shares/share_repository.ts";

/** Where a resumable upload will land, decided when it is created. */
export interface UploadTarget {
  /** Decoded path segments below ROOT. */
  segments: string[];
  /** Refuse to replace a file that exists when the upload finishes. */
  failIfExists: boolean;
  /** The target resolved now (its parents, what exists there). */
  resolved: WriteTarget;
  /** For an upload into a drop box: its reserved name and limits; `null` otherwise. */
  drop: DropTarget | null;
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

/** The file's path below its folder: `relativePath` when given, else `filename`. */
function nameSegments(metadata: Record<string, string>): string[] {
  if (metadata.relativePath !== undefined && metadata.relativePath !== "") {
    return relativeSegments(metadata.relativePath);
  }
  const filename = metadata.filename;
  if (filename === undefined || filename === "") {
    throw new HttpError(400, "Upload-Metadata needs a filename");
  }
  if (filename.includes("/") || filename.includes("\\") || filename === "." || filename === "..") {
    throw new HttpError(400, "Invalid filename");
  }
  return [filename];
}

/** The `onConflict` metadata, checked; `replace` when absent. */
function onConflictOf(metadata: Record<string, string>): "fail" | "replace" {
  const onConflict = metadata.onConflict ?? "replace";
  if (onConflict !== "replace" && onConflict !== "fail") {
    throw new HttpError(400, "onConflict must be fail or replace");
  }
  return onConflict;
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
 * With `share` (an upload created through a drop box's link, whose token,
 * expiry and password were checked), the path is inside the drop box:
 * `folder` must be absent, `onConflict` cannot be `replace`, and the upload
 * of `declared` bytes (when known) is counted against the share's limits
 * and gets a free name (`name (1).ext`) reserved, as `reserveDrop` does.
 *
 * @throws {HttpError} 400 for missing or invalid names, 403 for the
 * reserved `/_/` tree, 409 when a folder or file is in the way, 412 when
 * the file exists and the upload must not replace it; with `share`, what
 * `reserveDrop` throws (403 and 413 for the share's limits).
 */
export async function resolveUploadTarget(
  ctx: RequestContext,
  metadata: Record<string, string>,
  headers: Headers,
  share: ShareRecord | null = null,
  declared: number | null = null,
): Promise<UploadTarget> {
  if (share !== null) return await dropBoxTarget(ctx, metadata, share, declared);
  const folder = decodePath(metadata.folder ?? "/").segments;
  const segments = [...folder, ...nameSegments(metadata)];
  if (segments.length === 0) throw new HttpError(400, "Upload-Metadata needs a filename");
  checkWritablePath(segments, ctx.config.dotfiles);
  if (segments[0] === "_") throw new HttpError(403, "The /_/ folder is reserved");
  const failIfExists = onConflictOf(metadata) === "fail" ||
    headers.get("if-none-match")?.trim() === "*";
  const resolved = new FileWriter(ctx.store.root).locate(segments);
  if (resolved.existing?.isDirectory) throw new HttpError(409, "Target is a folder");
  if (failIfExists && (resolved.existing !== null || resolved.isSymlink)) {
    throw new HttpError(412, "File exists");
  }
  return { segments, failIfExists, resolved, drop: null };
}

async function dropBoxTarget(
  ctx: RequestContext,
  metadata: Record<string, string>,
  share: ShareRecord,
  declared: number | null,
): Promise<UploadTarget> {
  if (metadata.folder !== undefined && metadata.folder !== "/") {
    throw new HttpError(400, "Name folders inside a drop box with relativePath");
  }
  if (onConflictOf(metadata) === "replace" && metadata.onConflict !== undefined) {
    throw new HttpError(400, "A drop box never replaces files");
  }
  const drop = await reserveDrop(ctx, share, nameSegments(metadata), declared);
  const resolved = new FileWriter(ctx.store.root).locate(drop.segments);
  return { segments: drop.segments, failIfExists: true, resolved, drop };
}
