import type { Handler } from "../context.ts";
import { FileWriter, SourceError, type WriteTarget } from "../fs/file_writer.ts";
import { errorCode } from "../fs/error_code.ts";
import {
  type DigestAlgorithm,
  equalBytes,
  expectedDigests,
  formatReprDigest,
} from "../http/digest.ts";
import { makeEtag } from "../http/etag.ts";
import { rejectContentEncoding } from "../http/content_encoding.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath, encodePath } from "../path/decode_path.ts";
import { openStream } from "../stream_slots.ts";
import { ByteLimitStream } from "../streams/byte_limit_stream.ts";
import { DigestStream } from "../streams/digest_stream.ts";
import { uploadBody, uploadReads } from "../streams/upload_body.ts";
import { discardFinderMetadata, isFinderMetadata } from "./dav_finder.ts";
import { checkDavWrite } from "./dav_guard.ts";
import { checkWritePreconditions } from "./write_preconditions.ts";

/**
 * `PUT /<path>`: streams the body into the file at `<path>` (201 with
 * `Location` when new, 204 when replaced), creating missing parents (409
 * instead with `--dav-strict`). Checks the `If` header and locks first.
 * `PUT /<path>/` with an empty body creates a folder. Honours
 * `If-Match` / `If-None-Match: *`, `--max-upload` and declared digests, and
 * answers with the `Repr-Digest` and `ETag` of what was stored. macOS
 * Finder's `._*` and `.DS_Store` are accepted and dropped unless
 * `--dotfiles` (see `discardFinderMetadata`).
 */
export const upload: Handler = async (request, ctx) => {
  const { segments, trailingSlash } = decodePath(ctx.url.pathname);
  if (!ctx.config.dotfiles && !trailingSlash && isFinderMetadata(segments.at(-1) ?? "")) {
    return await discardFinderMetadata(request, ctx);
  }
  checkWritablePath(segments, ctx.config.dotfiles);
  rejectContentEncoding(request.headers);
  const declared = declaredLength(request.headers.get("content-length"));
  if (declared !== null && declared > ctx.config.maxUpload) {
    await request.body?.cancel();
    ctx.metrics.uploadFailed("limit");
    throw new HttpError(413, "Upload too large");
  }
  const writer = new FileWriter(ctx.store.root, {
    temps: ctx.state.temps,
    pageCache: ctx.state.pageCache,
  });
  const target = writer.locate(segments);
  try {
    await checkDavWrite(request, ctx, [{ segments, membership: target.existing === null }]);
  } catch (error) {
    await request.body?.cancel();
    throw error;
  }
  if (trailingSlash || segments.length === 0) {
    return await makeFolder(request, writer, target, segments, declared);
  }
  if (target.existing?.isDirectory) throw new HttpError(409, "Target is a folder");
  if (target.missing.length > 0 && ctx.config.davStrict) {
    await request.body?.cancel();
    throw new HttpError(409, "Parent folder does not exist");
  }
  checkWritePreconditions(request, target.existing);
  const expected = expectedDigests(request.headers);
  // Before the body is touched: a 429 or 503 leaves it unread.
  const release = openStream(ctx, "upload");

  const limit = new ByteLimitStream(ctx.config.maxUpload);
  const algorithms = new Set<DigestAlgorithm>(["sha256"]);
  for (const algorithm of Object.keys(expected)) algorithms.add(algorithm as DigestAlgorithm);
  const digest = new DigestStream([...algorithms]);
  const source = uploadBody(request.body, ctx.config.bodyTimeout)
    .pipeThrough(limit)
    .pipeThrough(digest);

  let result;
  try {
    result = await writer.write(target, source, (current) => {
      if (declared !== null && limit.bytes !== declared) {
        throw new SourceError(new RangeError("Body shorter than Content-Length"));
      }
      const actual = digest.digests();
      for (const [algorithm, bytes] of Object.entries(expected)) {
        if (!equalBytes(bytes, actual[algorithm as DigestAlgorithm]!)) {
          throw new HttpError(400, "Digest mismatch");
        }
      }
      checkWritePreconditions(request, current);
    }, (chunk) => uploadReads.give(chunk.buffer));
  } catch (error) {
    ctx.metrics.uploadFailed(failureReason(error));
    // Cut off by a shutdown, not by the client.
    if (error instanceof SourceError && ctx.state.shutdownSignal.aborted) {
      throw new HttpError(503, "Server is shutting down", { "retry-after": "5" });
    }
    throw uploadHttpError(error);
  } finally {
    ctx.metrics.received(limit.bytes);
    release();
  }
  ctx.store.cache.clear();
  const headers = new Headers({
    "repr-digest": formatReprDigest(digest.digests().sha256!),
    etag: makeEtag(result.info),
  });
  if (!result.created) return new Response(null, { status: 204, headers });
  headers.set("location", encodePath(segments));
  return new Response(null, { status: 201, headers });
};

async function makeFolder(
  request: Request,
  writer: FileWriter,
  target: WriteTarget,
  segments: string[],
  declared: number | null,
): Promise<Response> {
  if (declared !== null && declared > 0) {
    await request.body?.cancel();
    throw new HttpError(400, "A folder cannot have a body");
  }
  if (request.body !== null) {
    for await (const chunk of request.body) {
      if (chunk.length > 0) throw new HttpError(400, "A folder cannot have a body");
    }
  }
  checkWritePreconditions(request, target.existing);
  const created = writer.mkdir(target);
  if (!created) return new Response(null, { status: 204 });
  return new Response(null, {
    status: 201,
    headers: { location: encodePath(segments, true) },
  });
}

function declaredLength(value: string | null): number | null {
  if (value === null) return null;
  if (!/^\d+$/.test(value.trim())) throw new HttpError(400, "Invalid Content-Length");
  return Number(value);
}

/** The `sluice_upload_failures_total` reason for a failed write. */
function failureReason(error: unknown): string {
  if (error instanceof SourceError) return "aborted";
  if (error instanceof HttpError) {
    if (error.status === 413) return "limit";
    if (error.status === 408) return "aborted";
    if (error.status === 412) return "precondition";
    if (error.status === 409) return "conflict";
    if (error.status === 400) return "digest";
  }
  return "disk";
}

function uploadHttpError(error: unknown): unknown {
  if (error instanceof SourceError) return new HttpError(400, "Upload interrupted");
  if (errorCode(error) === "ENOSPC") {
    return new HttpError(507, "Not enough space on the server");
  }
  return error;
}
