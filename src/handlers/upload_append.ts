import { createHash } from "node:crypto";
import { join } from "node:path";
import type { RequestContext } from "../context.ts";
import { FileWriter } from "../fs/file_writer.ts";
import { ResumableFile, UploadDataLost } from "../fs/resumable_file.ts";
import { equalBytes, formatReprDigest, parseDigestField } from "../http/digest.ts";
import { makeEtag } from "../http/etag.ts";
import { HttpError } from "../http/http_error.ts";
import { encodePath } from "../path/decode_path.ts";
import { type DropTarget, recordDropUpload, releaseDropTarget } from "../shares/drop_box.ts";
import { ShareRepository } from "../shares/share_repository.ts";
import { requireStore } from "../state/require_store.ts";
import { openStream } from "../stream_slots.ts";
import { type Checksum, parseUploadChecksum, parseUploadInteger } from "../tus/upload_fields.ts";
import { appendLength } from "../tus/upload_lengths.ts";
import { progressHeaders, type UploadProtocol } from "../tus/upload_protocol.ts";
import {
  LEASE_TTL_MS,
  tempName,
  type UploadSession,
  type UploadSessions,
  type VersionedSession,
} from "../tus/upload_sessions.ts";

/** An append running in this process. */
interface LocalWriter {
  /** Settles once the append has synced what arrived and released the lease. */
  done: Promise<void>;
  /** Stops reading its body (what arrived is kept). */
  stop: AbortController;
}

/** Appends running in this process, by upload id. */
const localWriters = new Map<string, LocalWriter>();

/** How long an offset query lets this process's own writer end by itself. */
const WRITER_DRAIN_MS = 1_000;

/** How long it then waits for the writer it stopped. */
const WRITER_WAIT_MS = 5_000;

/** The upload's temp file under ROOT. */
export function uploadFile(ctx: RequestContext, session: UploadSession): ResumableFile {
  return new ResumableFile(join(ctx.store.root, ...session.tempDir, tempName(session.id)));
}

/**
 * The session of upload `id` as its owner may see it: a drop-box upload
 * only through its share's link, any other only outside share links.
 *
 * @throws {HttpError} 404 when unknown (or another user's, or not reached
 * through its own way in), 410 when it expired unfinished.
 */
export async function loadSession(
  ctx: RequestContext,
  sessions: UploadSessions,
  id: string,
): Promise<VersionedSession> {
  const found = await sessions.get(id);
  const owner = found?.session.owner ?? null;
  const shareId = found?.session.drop?.shareId ?? null;
  if (
    found === null || (owner !== null && owner !== ctx.user?.user) ||
    shareId !== (ctx.scope?.shareId ?? null)
  ) {
    throw new HttpError(404, "Unknown upload");
  }
  if (!found.session.complete && found.session.expiresAt <= Date.now()) {
    throw new HttpError(410, "Upload expired");
  }
  return found;
}

/**
 * Header naming where a drop-box upload is stored inside the drop box (the
 * name may be numbered): its `/`-separated path, each segment
 * percent-encoded.
 */
const DROP_PATH_HEADER = "x-drop-path";

function dropPathValue(relativePath: string): string {
  return relativePath.split("/").map(encodeURIComponent).join("/");
}

/**
 * A bodiless answer with the upload's state in `protocol`'s header fields
 * (and, for a drop-box upload, its final path in `X-Drop-Path`).
 */
export function uploadAnswer(
  ctx: RequestContext,
  protocol: UploadProtocol,
  session: UploadSession,
  status: number,
  extra: Record<string, string> = {},
): Response {
  const headers: Record<string, string> = {
    ...progressHeaders(protocol, session, ctx.config.maxUpload, Date.now()),
    ...extra,
  };
  if (session.drop) headers[DROP_PATH_HEADER] = dropPathValue(session.drop.relativePath);
  return new Response(null, { status, headers });
}

/** Resolves when `promise` settles or after `ms`, whichever is first. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => timer = setTimeout(resolve, ms))]);
  clearTimeout(timer);
}

/**
 * Lets this process's running append to upload `id`, if any, end: a client
 * that asks for the offset means to resume, so the append it sent before
 * is dead to it, though a dropped network may leave its socket open here
 * for long. The append gets a moment to store what already arrived, then
 * is stopped (the IETF draft lets a server end it), so the offset answered
 * is exact and the client's next append is not refused as concurrent.
 */
export async function supersedeLocalWriter(id: string): Promise<void> {
  const writer = localWriters.get(id);
  if (!writer) return;
  await within(writer.done, WRITER_DRAIN_MS);
  writer.stop.abort(new HttpError(409, "Superseded by an offset query"));
  await within(writer.done, WRITER_WAIT_MS);
}

/** The checksum an append declares: tus `Upload-Checksum`, else a SHA-256 `Content-Digest`. */
function declaredChecksum(headers: Headers): Checksum | null {
  const checksum = parseUploadChecksum(headers.get("upload-checksum"));
  if (checksum !== null) return checksum;
  const field = headers.get("content-digest");
  const sha256 = field === null ? undefined : parseDigestField(field, "Content-Digest").sha256;
  return sha256 ? { algorithm: "sha256", digest: sha256 } : null;
}

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Appends the request body to upload `id` at `offset` under the upload's
 * lease (423 when another request holds it), acknowledges the new offset,
 * and finishes the upload when this append completes it (tus: the offset
 * reaches the length; IETF: `completes`).
 *
 * @throws {HttpError} 409 with the real offset on a mismatch, 460 (tus) or
 * 400 on a checksum mismatch (nothing appended), 413 past the length or
 * `--max-upload`, 400 when the body was cut short (what arrived is kept).
 */
export async function appendToUpload(
  request: Request,
  ctx: RequestContext,
  sessions: UploadSessions,
  protocol: UploadProtocol,
  id: string,
  offset: number,
  completes: boolean,
): Promise<Response> {
  let { session, version } = await loadSession(ctx, sessions, id);
  if (session.complete || offset !== session.offset) {
    await request.body?.cancel();
    throw new HttpError(
      409,
      session.complete ? "Upload is already complete" : "Upload-Offset does not match the upload",
      progressHeaders(protocol, session, ctx.config.maxUpload, Date.now()),
    );
  }
  const headers = request.headers;
  const contentLength = parseUploadInteger(headers.get("content-length"), "Content-Length");
  const length = appendLength({
    known: session.length,
    uploadLength: parseUploadInteger(headers.get("upload-length"), "Upload-Length"),
    offset,
    completes,
    contentLength,
  });
  // A drop box's room (and what was declared at creation) binds a deferred length too.
  const maxBytes = Math.min(ctx.config.maxUpload, session.drop?.maxBytes ?? Infinity);
  if (length !== null && length > maxBytes) {
    await request.body?.cancel();
    ctx.metrics.uploadFailed("limit");
    throw new HttpError(
      413,
      session.drop ? "Not enough room left in this drop box" : "Upload too large",
    );
  }
  const checksum = declaredChecksum(headers);
  const repr = headers.get("repr-digest");
  const sha256 = repr === null ? undefined : parseDigestField(repr, "Repr-Digest").sha256;
  if (sha256) session = { ...session, sha256: base64(sha256) };

  const lease = await sessions.lease(id);
  if (lease === null) {
    await request.body?.cancel();
    throw new HttpError(423, "Another request is writing to this upload", { "retry-after": "1" });
  }
  const done = Promise.withResolvers<void>();
  const stop = new AbortController();
  localWriters.set(id, { done: done.promise, stop });
  const lost = new AbortController();
  const renewal = setInterval(async () => {
    if (!await lease.renew().catch(() => false)) {
      lost.abort(new HttpError(409, "Upload lease lost"));
    }
  }, LEASE_TTL_MS / 3);
  let release: (() => void) | null = null;
  try {
    release = openStream(ctx, "upload");
    const file = uploadFile(ctx, session);
    const hash = checksum ? createHash(checksum.algorithm) : undefined;
    const body = request.body ?? ReadableStream.from<Uint8Array>([]);
    const { written, cause } = await file.append(offset, body, {
      maxBytes: (length ?? maxBytes) - offset,
      hash,
      idleTimeout: ctx.config.bodyTimeout,
      pageCache: ctx.state.pageCache,
      signal: AbortSignal.any([ctx.state.shutdownSignal, lost.signal, stop.signal]),
      // A checksummed append counts only whole: no checkpoints then.
      checkpoint: checksum ? undefined : async (n) => {
        const next = { ...session, offset: offset + n };
        const v = await sessions.update(next, version);
        if (v === null) lost.abort(new HttpError(404, "Upload was terminated"));
        else [session, version] = [next, v];
      },
    });
    ctx.metrics.received(written);
    if (checksum && (cause !== null || !equalBytes(hash!.digest(), checksum.digest))) {
      await file.truncate(offset);
      if (cause !== null) throw interrupted(ctx, cause);
      ctx.metrics.uploadFailed("digest");
      throw new HttpError(protocol.kind === "tus" ? 460 : 400, "Checksum mismatch");
    }
    const next: UploadSession = {
      ...session,
      offset: offset + written,
      length,
      expiresAt: Date.now() + ctx.config.uploadExpiry,
    };
    const v = await sessions.update(next, version);
    if (v === null) {
      await file.remove();
      throw new HttpError(404, "Upload was terminated");
    }
    [session, version] = [next, v];
    if (cause !== null) {
      ctx.metrics.uploadFailed("aborted");
      throw interrupted(ctx, cause);
    }
    const finished = protocol.kind === "tus" ? length === session.offset : completes;
    if (!finished) return uploadAnswer(ctx, protocol, session, 204);
    return await finish(ctx, sessions, protocol, file, session, version);
  } catch (error) {
    // A shutdown that closed the store under this append: what was synced
    // stays, and the offset is the last one acknowledged.
    if (ctx.state.shutdownSignal.aborted && !(error instanceof HttpError)) {
      throw interrupted(ctx, error);
    }
    throw error;
  } finally {
    clearInterval(renewal);
    release?.();
    await lease.release().catch(() => {});
    localWriters.delete(id);
    done.resolve();
  }
}

function interrupted(ctx: RequestContext, cause: unknown): HttpError {
  if (cause instanceof HttpError) return cause;
  if (ctx.state.shutdownSignal.aborted) {
    return new HttpError(503, "Server is shutting down", { "retry-after": "5" });
  }
  return new HttpError(400, "Upload interrupted");
}

/**
 * Checks the whole upload's declared digest and renames it into place with
 * `PUT`'s conflict rule; any failure removes the upload.
 */
async function finish(
  ctx: RequestContext,
  sessions: UploadSessions,
  protocol: UploadProtocol,
  file: ResumableFile,
  session: UploadSession,
  version: number,
): Promise<Response> {
  let result;
  try {
    if (session.sha256 !== null && base64(await file.sha256()) !== session.sha256) {
      ctx.metrics.uploadFailed("digest");
      throw new HttpError(400, "Digest mismatch");
    }
    if (session.drop) await checkShareLive(ctx, session.drop);
    result = await file.commit(new FileWriter(ctx.store.root), session.target, (current) => {
      if (session.drop && current !== null) {
        throw new HttpError(409, "The name was taken meanwhile, try again");
      }
      if (session.failIfExists && current !== null) throw new HttpError(412, "File exists");
    });
  } catch (error) {
    await file.remove().catch(() => {});
    await sessions.remove(session.id);
    if (session.drop) await releaseDropTarget(ctx, session.drop);
    if (error instanceof UploadDataLost) throw new HttpError(410, "Upload data is gone");
    if (error instanceof HttpError && error.status !== 400) ctx.metrics.uploadFailed("conflict");
    throw error;
  }
  ctx.store.cache.clear();
  if (session.drop) await recordDropUpload(ctx, session.drop, result.info.size);
  // Kept until it expires, so a client that missed this answer can ask.
  const done = { ...session, complete: true, length: session.offset };
  await sessions.update(done, version);
  // A drop box's file cannot be fetched: its path is in `X-Drop-Path` only.
  const extra: Record<string, string> = session.drop ? {} : {
    "content-location": encodePath(session.target),
    etag: makeEtag(result.info),
  };
  if (session.sha256 !== null) {
    extra["repr-digest"] = formatReprDigest(
      Uint8Array.from(atob(session.sha256), (c) => c.charCodeAt(0)),
    );
  }
  const status = protocol.kind === "ietf" && result.created ? 201 : 204;
  return uploadAnswer(ctx, protocol, done, status, extra);
}

/**
 * A drop-box upload finishes only while its share stands: one revoked (or
 * expired) while its last append was under way stores nothing.
 *
 * @throws {HttpError} 404 when the share was revoked, 410 when it expired.
 */
async function checkShareLive(ctx: RequestContext, drop: DropTarget): Promise<void> {
  const share = await new ShareRepository(requireStore(ctx)).findById(drop.shareId);
  if (share === null) throw new HttpError(404, "Unknown or revoked link");
  if (share.expiresAt !== null && share.expiresAt <= Date.now()) {
    throw new HttpError(410, "This link has expired");
  }
}
