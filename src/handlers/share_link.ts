import { basename, dirname } from "node:path";
import type { Handler, RequestContext } from "../context.ts";
import { FileStore } from "../fs/file_store.ts";
import { HttpError } from "../http/http_error.ts";
import { renderDropBoxPage } from "../html/share_pages.ts";
import { decodePath } from "../path/decode_path.ts";
import { countsAsDownload } from "../shares/download_count.ts";
import { passCookieHeader } from "../shares/pass_cookie.ts";
import { scopedContext, type ShareScope } from "../shares/scope.ts";
import {
  checkSharePassword,
  hasPassCookie,
  lookUpShare,
  retryAfter,
} from "../shares/share_gate.ts";
import { parseShareLinkPath, SHARE_LINK_PREFIX } from "../shares/share_link_path.ts";
import { type ShareRecord, ShareRepository } from "../shares/share_repository.ts";
import { passCookieValue } from "../shares/token.ts";
import { requireStore } from "../state/require_store.ts";
import { dropUpload } from "./drop_upload.ts";
import { dropBoxUploads, UPLOADS_PATH } from "./resumable_upload.ts";
import { serveFiles } from "./files.ts";
import { askPassword, htmlPage, refusal, targetGone, tooManyAttempts } from "./share_answers.ts";

/** Largest password form accepted, in bytes. */
const MAX_FORM = 4096;

/**
 * Everything under `/_/s/<token>`: the token is the credential. A read
 * share serves its file, or its folder's listings, searches, archives and
 * files through the ordinary file handlers, rooted at the shared folder; a
 * drop box shows its upload page and takes `PUT`s and resumable uploads
 * (tus/IETF, at `/_/s/<token>/_/uploads/`). Unknown and revoked
 * links answer 404, expired ones 410, a protected link a password form
 * (`POST`ed back here); failed guesses are rate-limited per client.
 */
export const shareLink: Handler = async (request, ctx) => {
  const link = parseShareLinkPath(ctx.url.pathname)!;
  const found = await lookUpShare(ctx, link.token);
  if (found.kind === "limited") return tooManyAttempts(request, found.retryAfter);
  if (found.kind === "unknown") {
    return refusal(request, 404, "Link not found", "This link does not exist or was revoked.");
  }
  const { share } = found;
  const scope = { shareId: share.id, mode: share.mode, base: SHARE_LINK_PREFIX + link.token };
  ctx.scope = scope;
  if (found.kind === "expired") {
    return refusal(request, 410, "Link expired", "This link has expired.");
  }
  // A drop box's resumable uploads live at `<link>/_/uploads/` (PUT there is a plain upload).
  const resumable = share.mode === "upload" && link.rest.startsWith(UPLOADS_PATH) &&
    request.method !== "PUT";
  if (request.method === "POST" && !resumable) return await unlock(request, ctx, share, scope);
  if (!await hasPassCookie(request, share, link.token)) {
    const header = request.headers.get("x-share-password");
    if (header === null) return askPassword(request, false);
    if (!await checkSharePassword(ctx, share, header)) return wrongPassword(request, ctx);
  }
  if (resumable) return await dropBoxUploads(request, ctx, share);
  return share.mode === "read"
    ? await readShare(request, ctx, share, scope, link.rest)
    : await dropBox(request, ctx, share, scope, link.rest);
};

function wrongPassword(request: Request, ctx: RequestContext): Response {
  const wait = retryAfter(ctx);
  return wait > 0 ? tooManyAttempts(request, wait) : askPassword(request, true);
}

/** `POST` of the password form: a cookie for the link and a redirect back, or the form again. */
async function unlock(
  request: Request,
  ctx: RequestContext,
  share: ShareRecord,
  scope: ShareScope,
): Promise<Response> {
  const length = Number(request.headers.get("content-length") ?? NaN);
  if (share.password === null || !(length <= MAX_FORM)) {
    await request.body?.cancel();
    if (share.password === null) {
      throw new HttpError(405, "Method not allowed", { allow: allowed(share) });
    }
    throw new HttpError(length > MAX_FORM ? 413 : 411, "Send the password form with a length");
  }
  const password = new URLSearchParams(await request.text()).get("password") ?? "";
  if (!await checkSharePassword(ctx, share, password)) return wrongPassword(request, ctx);
  const token = scope.base.slice(SHARE_LINK_PREFIX.length);
  const cookie = passCookieHeader(await passCookieValue(token, share.password), {
    path: scope.base,
    secure: ctx.url.protocol === "https:",
    expiresAt: share.expiresAt,
    now: Date.now(),
  });
  return new Response(null, {
    status: 303,
    headers: { location: ctx.url.pathname + ctx.url.search, "set-cookie": cookie },
  });
}

function allowed(share: ShareRecord): string {
  const methods = share.mode === "read" ? ["GET", "HEAD"] : ["GET", "HEAD", "PUT"];
  if (share.password !== null) methods.push("POST");
  return methods.join(", ");
}

/** Answers a request inside an open share of one mode; `rest` is the path below the link. */
type ModeHandler = (
  request: Request,
  ctx: RequestContext,
  share: ShareRecord,
  scope: ShareScope,
  rest: string,
) => Promise<Response>;

/** Refuses any method but GET and HEAD with a 405 saying `reason`, its body dropped. */
async function onlyGetOrHead(request: Request, share: ShareRecord, reason: string): Promise<void> {
  if (request.method === "GET" || request.method === "HEAD") return;
  await request.body?.cancel();
  throw new HttpError(405, reason, { allow: allowed(share) });
}

/** A read share: its file, or anything in its folder, through the file handlers. */
const readShare: ModeHandler = async (request, ctx, share, scope, rest) => {
  await onlyGetOrHead(request, share, "This link is read-only");
  const target = ctx.store.stat(share.segments);
  if (target === null || target.isDirectory !== (share.kind === "folder")) {
    return targetGone(request);
  }
  let store: FileStore;
  let pathname: string;
  if (share.kind === "file") {
    if (rest !== "") throw new HttpError(404, "Not found");
    store = new FileStore(dirname(target.path));
    pathname = "/" + encodeURIComponent(basename(target.path));
  } else {
    if (rest === "") return redirect(ctx, scope.base + "/");
    store = new FileStore(target.path);
    pathname = rest;
  }
  const scoped = scopedContext(ctx, store, pathname, scope);
  const download = countsAsDownload(request.method, request.headers, targetOf(scoped));
  try {
    await new ShareRepository(requireStore(ctx)).updateUsage(share, (usage) => {
      if (download && share.maxDownloads !== null && usage.downloads >= share.maxDownloads) {
        throw new HttpError(410, "Download limit reached");
      }
      return {
        ...usage,
        uses: usage.uses + 1,
        downloads: usage.downloads + (download ? 1 : 0),
        lastUse: Date.now(),
      };
    }, Date.now());
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 410)) throw error;
    return refusal(request, 410, "Download limit reached", "This link has been used up.");
  }
  const response = await serveFiles(request, scoped);
  // A folder's redirect to its slash form names a path inside the share.
  const location = response.headers.get("location");
  if (location?.startsWith("/")) response.headers.set("location", scope.base + location);
  return response;
};

/** What a request inside a read share fetches: a file, a folder archive, or anything else. */
function targetOf(ctx: RequestContext) {
  const info = ctx.store.stat(decodePath(ctx.url.pathname).segments);
  if (info === null) return "other";
  if (info.isDirectory) return ctx.url.searchParams.has("download") ? "archive" : "other";
  return info.isFile ? "file" : "other";
}

/** A drop box: its upload page, and `PUT`s into it; nothing in it can be read. */
const dropBox: ModeHandler = async (request, ctx, share, scope, rest) => {
  if (request.method === "PUT") return await dropUpload(request, ctx, share, rest);
  await onlyGetOrHead(request, share, "Method not allowed");
  if (rest === "") return redirect(ctx, scope.base + "/");
  if (rest !== "/") throw new HttpError(403, "This link only takes uploads");
  if (ctx.store.stat(share.segments)?.isDirectory !== true) return targetGone(request);
  return htmlPage(request, 200, renderDropBoxPage(share));
};

function redirect(ctx: RequestContext, location: string): Response {
  return new Response(null, { status: 301, headers: { location: location + ctx.url.search } });
}
