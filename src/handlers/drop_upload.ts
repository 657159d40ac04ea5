import type { RequestContext } from "../context.ts";
import { FileWriter, SourceError } from "../fs/file_writer.ts";
import { errorCode } from "../fs/error_code.ts";
import { rejectContentEncoding } from "../http/content_encoding.ts";
import { HttpError } from "../http/http_error.ts";
import { decodePath } from "../path/decode_path.ts";
import {
  type DropTarget,
  recordDropUpload,
  releaseDropTarget,
  reserveDrop,
} from "../shares/drop_box.ts";
import type { ShareRecord } from "../shares/share_repository.ts";
import { openStream } from "../stream_slots.ts";
import { ByteLimitStream } from "../streams/byte_limit_stream.ts";
import { uploadBody, uploadReads } from "../streams/upload_body.ts";

/**
 * `PUT /_/s/<token>/<name>` into a drop box: streams the body into a new
 * file (a taken name becomes `name (1).ext`; a `/`-separated path creates
 * folders inside the drop box) through the same atomic writer as `PUT`,
 * within the share's file and byte limits and `--max-upload`. Answers 201
 * with `{ "name", "path", "size" }`: the final name, the path inside the
 * drop box, and the bytes stored.
 */
export async function dropUpload(
  request: Request,
  ctx: RequestContext,
  share: ShareRecord,
  rest: string,
): Promise<Response> {
  let target: DropTarget;
  let release = () => {};
  try {
    const { segments, trailingSlash } = decodePath(rest);
    if (trailingSlash) throw new HttpError(400, "Only files can be uploaded here");
    rejectContentEncoding(request.headers);
    const declared = declaredLength(request.headers.get("content-length"));
    release = openStream(ctx, "upload");
    target = await reserveDrop(ctx, share, segments, declared);
  } catch (error) {
    release();
    await request.body?.cancel().catch(() => {});
    throw error;
  }
  const limit = new ByteLimitStream(target.maxBytes);
  const writer = new FileWriter(ctx.store.root, {
    temps: ctx.state.temps,
    pageCache: ctx.state.pageCache,
  });
  try {
    const result = await writer.write(
      writer.locate(target.segments),
      uploadBody(request.body, ctx.config.bodyTimeout).pipeThrough(limit),
      (current) => {
        if (target.reservedBytes > 0 && limit.bytes !== target.reservedBytes) {
          throw new SourceError(new RangeError("Body shorter than Content-Length"));
        }
        if (current !== null) throw new HttpError(409, "The name was taken meanwhile, try again");
      },
      (chunk) => uploadReads.give(chunk.buffer),
    );
    await recordDropUpload(ctx, target, result.info.size);
  } catch (error) {
    ctx.metrics.uploadFailed(failureReason(error));
    await releaseDropTarget(ctx, target);
    if (error instanceof SourceError) throw new HttpError(400, "Upload interrupted");
    if (errorCode(error) === "ENOSPC") throw new HttpError(507, "Not enough space on the server");
    throw error;
  } finally {
    ctx.metrics.received(limit.bytes);
    release();
  }
  ctx.store.cache.clear();
  const json = JSON.stringify({
    name: target.finalName,
    path: target.relativePath,
    size: limit.bytes,
  });
  return new Response(json, {
    status: 201,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

/** The `sluice_upload_failures_total` reason for a failed drop-box write. */
function failureReason(error: unknown): string {
  if (error instanceof SourceError) return "aborted";
  if (error instanceof HttpError && error.status === 413) return "limit";
  if (error instanceof HttpError && error.status === 408) return "aborted";
  if (error instanceof HttpError && error.status === 409) return "conflict";
  return "disk";
}

function declaredLength(value: string | null): number | null {
  if (value === null) return null;
  if (!/^\d+$/.test(value.trim())) throw new HttpError(400, "Invalid Content-Length");
  return Number(value);
}
