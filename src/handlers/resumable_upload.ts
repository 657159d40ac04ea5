import { relative, sep } from "node:path";
import type { Handler, RequestContext } from "../context.ts";
import { WWW_AUTHENTICATE } from "../auth/authorize.ts";
import { parseDigestField } from "../http/digest.ts";
import { HttpError } from "../http/http_error.ts";
import { releaseDropTarget } from "../shares/drop_box.ts";
import type { ShareRecord } from "../shares/share_repository.ts";
import { requireStore } from "../state/require_store.ts";
import {
  parseStructuredBoolean,
  parseUploadInteger,
  parseUploadMetadata,
} from "../tus/upload_fields.ts";
import { creationLength } from "../tus/upload_lengths.ts";
import {
  checkAppendType,
  discoveryHeaders,
  requireProtocol,
  TUS_VERSION,
} from "../tus/upload_protocol.ts";
import {
  isUploadId,
  newUploadId,
  type UploadSession,
  UploadSessions,
} from "../tus/upload_sessions.ts";
import {
  appendToUpload,
  loadSession,
  supersedeLocalWriter,
  uploadAnswer,
  uploadFile,
} from "./upload_append.ts";
import { resolveUploadTarget } from "./upload_target.ts";

/**
 * The upload endpoint: creation at this path, each upload below it. A drop
 * box has its own below its share link: `/_/s/<token>/_/uploads/`.
 */
export const UPLOADS_PATH = "/_/uploads/";

const ON_UPLOAD = "HEAD, PATCH, DELETE, OPTIONS";
const ON_ENDPOINT = "POST, OPTIONS";

/**
 * The upload id the URL names, `null` for the endpoint itself.
 *
 * @throws {HttpError} 404 for anything else below it, 405 when the method
 * is for the other one.
 */
function target(ctx: RequestContext, method: string, onUpload: boolean): string | null {
  const rest = ctx.url.pathname.slice(endpointOf(ctx).length);
  if (rest !== "" && !isUploadId(rest)) throw new HttpError(404, "Unknown upload");
  if ((rest !== "") !== onUpload) {
    throw new HttpError(405, `${method} is not allowed here`, {
      allow: rest === "" ? ON_ENDPOINT : ON_UPLOAD,
    });
  }
  return rest === "" ? null : rest;
}

/** The endpoint's path: `/_/uploads/`, or a drop box's below its share link. */
function endpointOf(ctx: RequestContext): string {
  return ctx.scope ? ctx.scope.base + UPLOADS_PATH : UPLOADS_PATH;
}

/**
 * Only rw users with `--auth` (everyone without) may touch uploads; POST
 * and HEAD pass `authorize` as reads. Through a drop box's link (`ctx.scope`
 * set) the link was checked instead, and `loadSession` keeps each side to
 * its own uploads.
 */
function checkWriter(ctx: RequestContext): UploadSessions {
  if (ctx.config.auth.length > 0 && !ctx.scope) {
    if (ctx.user === null) {
      throw new HttpError(401, "Authentication required", {
        "www-authenticate": WWW_AUTHENTICATE,
      });
    }
    if (ctx.user.access !== "rw") throw new HttpError(403, "Read-only user");
  }
  return new UploadSessions(requireStore(ctx));
}

/** `OPTIONS /_/uploads/…`: tus discovery and the IETF `Accept-Patch` / `Upload-Limit`. */
export const uploadOptions: Handler = (_request, ctx) => {
  const onUpload = ctx.url.pathname !== UPLOADS_PATH;
  return new Response(null, {
    status: 204,
    headers: {
      ...discoveryHeaders(ctx.config.maxUpload),
      allow: onUpload ? ON_UPLOAD : ON_ENDPOINT,
    },
  });
};

/**
 * `POST /_/uploads/`: creates an upload (tus creation, creation-defer-length
 * and creation-with-upload; IETF upload creation with `Upload-Complete`,
 * with or without content), answering 201 with its `Location`. The target
 * comes from `Upload-Metadata` (see `resolveUploadTarget`).
 */
export const createUpload: Handler = (request, ctx) => create(request, ctx, null);

/**
 * Creates an upload at `/_/uploads/`, or into `share`'s drop box through its
 * link (the share checked by the caller).
 */
async function create(
  request: Request,
  ctx: RequestContext,
  share: ShareRecord | null,
): Promise<Response> {
  target(ctx, "POST", false);
  const sessions = checkWriter(ctx);
  const headers = request.headers;
  const protocol = requireProtocol(headers);
  const complete = parseStructuredBoolean(headers.get("upload-complete"), "Upload-Complete");
  const contentLength = parseUploadInteger(headers.get("content-length"), "Content-Length");
  const length = creationLength(protocol, {
    uploadLength: parseUploadInteger(headers.get("upload-length"), "Upload-Length"),
    deferLength: headers.get("upload-defer-length"),
    complete,
    contentLength,
  });
  if (length !== null && length > ctx.config.maxUpload) {
    await request.body?.cancel();
    ctx.metrics.uploadFailed("limit");
    throw new HttpError(413, "Upload too large", discoveryHeaders(ctx.config.maxUpload));
  }
  // Without a length, only a chunked body or a typed one counts: Deno gives a
  // bare POST (curl -X POST) a body stream too, an empty one.
  const hasBody = contentLength === null
    ? headers.has("transfer-encoding") || headers.has("content-type")
    : contentLength > 0;
  if (hasBody && protocol.kind === "tus") checkAppendType(protocol, headers.get("content-type"));
  const metadata = parseUploadMetadata(headers.get("upload-metadata"));
  const repr = headers.get("repr-digest");
  const sha256 = repr === null ? undefined : parseDigestField(repr, "Repr-Digest").sha256;
  const resolved = await resolveUploadTarget(ctx, metadata, headers, share, length);
  const now = Date.now();
  const session: UploadSession = {
    id: newUploadId(),
    offset: 0,
    length,
    complete: false,
    target: resolved.segments,
    tempDir: relative(ctx.store.root, resolved.resolved.base).split(sep).filter(Boolean),
    failIfExists: resolved.failIfExists,
    sha256: sha256 ? btoa(String.fromCharCode(...sha256)) : null,
    owner: resolved.drop ? null : ctx.user?.user ?? null,
    createdAt: now,
    expiresAt: now + ctx.config.uploadExpiry,
    ...(resolved.drop ? { drop: resolved.drop } : {}),
  };
  const file = uploadFile(ctx, session);
  try {
    await file.create();
    if (!await sessions.create(session)) throw new HttpError(500, "Upload id collision");
  } catch (error) {
    // No session (the store may be down): nothing would ever sweep the temp file.
    await file.remove().catch(() => false);
    if (resolved.drop) await releaseDropTarget(ctx, resolved.drop);
    throw error;
  }
  const location = endpointOf(ctx) + session.id;
  const completes = length === 0 || complete === true;
  if (!hasBody && !completes) {
    await request.body?.cancel();
    return uploadAnswer(ctx, protocol, session, 201, { location });
  }
  const appended = await appendToUpload(request, ctx, sessions, protocol, session.id, 0, completes);
  const answer = new Headers(appended.headers);
  answer.set("location", location);
  return new Response(null, { status: 201, headers: answer });
}

/**
 * `HEAD /_/uploads/<id>`: the upload's offset, length, expiry and
 * completeness. A running append of this process to it ends first.
 */
export const uploadOffset: Handler = async (request, ctx) => {
  const id = target(ctx, "HEAD", true)!;
  const sessions = checkWriter(ctx);
  const protocol = requireProtocol(request.headers);
  await supersedeLocalWriter(id);
  const { session } = await loadSession(ctx, sessions, id);
  return uploadAnswer(ctx, protocol, session, protocol.kind === "tus" ? 200 : 204);
};

/** `PATCH /_/uploads/<id>`: appends the body at `Upload-Offset`. */
export const appendUpload: Handler = async (request, ctx) => {
  const id = target(ctx, "PATCH", true)!;
  const sessions = checkWriter(ctx);
  const protocol = requireProtocol(request.headers);
  checkAppendType(protocol, request.headers.get("content-type"));
  const offset = parseUploadInteger(request.headers.get("upload-offset"), "Upload-Offset");
  if (offset === null) throw new HttpError(400, "Missing Upload-Offset");
  const complete = parseStructuredBoolean(
    request.headers.get("upload-complete"),
    "Upload-Complete",
  );
  if (protocol.kind === "ietf" && complete === null) {
    throw new HttpError(400, "Missing Upload-Complete");
  }
  return await appendToUpload(request, ctx, sessions, protocol, id, offset, complete === true);
};

/** `DELETE /_/uploads/<id>`: terminates the upload and removes its data. */
export const terminateUpload: Handler = async (request, ctx) => {
  const id = target(ctx, "DELETE", true)!;
  const sessions = checkWriter(ctx);
  const { session } = await loadSession(ctx, sessions, id).catch((error) => {
    // An expired upload can still be removed at once.
    if (error instanceof HttpError && error.status === 410) return sessions.get(id).then((f) => f!);
    throw error;
  });
  if (!await sessions.remove(id)) throw new HttpError(404, "Unknown upload");
  if (!session.complete) {
    await uploadFile(ctx, session).remove();
    if (session.drop) await releaseDropTarget(ctx, session.drop);
  }
  const tus = request.headers.has("tus-resumable");
  return new Response(null, { status: 204, headers: tus ? { "tus-resumable": TUS_VERSION } : {} });
};

/**
 * The resumable-upload endpoint of drop box `share` (whose token, expiry
 * and password the share link checked), at `/_/s/<token>/_/uploads/`:
 * creation there, `HEAD`/`PATCH`/`DELETE` of its uploads below it. Its
 * uploads never replace a file, count against the share's limits, and
 * are reachable only through this link.
 */
export async function dropBoxUploads(
  request: Request,
  ctx: RequestContext,
  share: ShareRecord,
): Promise<Response> {
  switch (request.method) {
    case "POST":
      return await create(request, ctx, share);
    case "HEAD":
      return await uploadOffset(request, ctx);
    case "PATCH":
      return await appendUpload(request, ctx);
    case "DELETE":
      return await terminateUpload(request, ctx);
    default: {
      await request.body?.cancel();
      const onUpload = ctx.url.pathname !== endpointOf(ctx);
      throw new HttpError(405, `${request.method} is not allowed here`, {
        allow: onUpload ? ON_UPLOAD : ON_ENDPOINT,
      });
    }
  }
}
