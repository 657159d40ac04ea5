import { basename, dirname } from "node:path";
import type { Handler, RequestContext } from "../context.ts";
import { FileStore } from "../fs/file_store.ts";
import { HttpError } from "../http/http_error.ts";
import { UI_HEADERS } from "../http/ui_headers.ts";
import { renderDropBoxPage, renderPasswordPage, renderShareMessage } from "../html/share_pages.ts";
import { decodePath } from "../path/decode_path.ts";
import { scopedContext } from "../shares/scope.ts";
import {
  checkSharePassword,
  hasPassCookie,
  lookUpShare,
  PASS_COOKIE,
  retryAfter,
} from "../shares/share_gate.ts";
import { parseShareLinkPath, SHARE_LINK_PREFIX } from "../shares/share_link_path.ts";
import { type ShareRecord, ShareRepository } from "../shares/share_repository.ts";
import { passCookieValue } from "../shares/token.ts";
import { requireStore } from "../state/require_store.ts";
import { dropUpload } from "./drop_upload.ts";
import { serveFiles } from "./files.ts";

/** Largest password form accepted, in bytes. */
const MAX_FORM = 4096;

/**
 * Everything under `/_/s/<token>`: the token is the credential. A read
 * share serves its file, or its folder's listings, searches, archives and
 * files through the ordinary file handlers, rooted at the shared folder; a
 * drop box shows its upload page and takes `PUT`s. Unknown and revoked
 * links answer 404, expired ones 410, a protected link a password form
 * (`POST`ed back here); failed guesses are rate-limited per client.
 */
export const shareLink: Handler = async (request, ctx) => {
  const link = parseShareLinkPath(ctx.url.pathname)!;
  const found = await lookUpShare(ctx, link.token);
  switch (found.kind) {
    case "limited":
      return limited(request, found.retryAfter);
    case "unknown":
      return message(request, 404, "Link not found", "This link does not exist or was revoked.");
    case "expired":
      ctx.scope = scopeOf(found.share, link.token);
      return message(request, 410, "Link expired", "This link has expired.");
  }
  const { share } = found;
  ctx.scope = scopeOf(share, link.token);
  if (request.method === "POST") return await unlock(request, ctx, share, link.token);
  if (!await hasPassCookie(request, share, link.token)) {
    const header = request.headers.get("x-share-password");
    if (header === null) return askPassword(request, false);
    if (!await checkSharePassword(ctx, share, header)) {
      const wait = retryAfter(ctx);
      if (wait > 0) return limited(request, wait);
      return askPassword(request, true);
    }
  }
  return share.mode === "read"
    ? await readShare(request, ctx, share, link.rest)
    : await dropBox(request, ctx, share, link.rest);
};

function scopeOf(share: ShareRecord, token: string) {
  return { shareId: share.id, mode: share.mode, base: SHARE_LINK_PREFIX + token };
}

/** `POST` of the password form: a cookie for the link and a redirect back, or the form again. */
async function unlock(
  request: Request,
  ctx: RequestContext,
  share: ShareRecord,
  token: string,
): Promise<Response> {
  if (share.password === null) {
    await request.body?.cancel();
    throw new HttpError(405, "Method not allowed", { allow: allowed(share) });
  }
  const length = Number(request.headers.get("content-length") ?? NaN);
  if (!(length <= MAX_FORM)) {
    await request.body?.cancel();
    throw new HttpError(length > MAX_FORM ? 413 : 411, "Send the password form with a length");
  }
  const password = new URLSearchParams(await request.text()).get("password") ?? "";
  if (!await checkSharePassword(ctx, share, password)) {
    const wait = retryAfter(ctx);
    if (wait > 0) return limited(request, wait);
    return askPassword(request, true);
  }
  const cookie = [
    `${PASS_COOKIE}=${await passCookieValue(token, share.password)}`,
    `Path=${SHARE_LINK_PREFIX}${token}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(ctx.url.protocol === "https:" ? ["Secure"] : []),
    ...(share.expiresAt === null
      ? []
      : [`Max-Age=${Math.max(1, Math.ceil((share.expiresAt - Date.now()) / 1000))}`]),
  ].join("; ");
  return new Response(null, {
    status: 303,
    headers: { location: ctx.url.pathname + ctx.url.search, "set-cookie": cookie },
  });
}

/** The challenge of a protected link: the password is a form field or `X-Share-Password`. */
const SHARE_CHALLENGE = { "www-authenticate": 'SharePassword realm="sluice"' };

/** 401: the password form for browsers, a short reason otherwise. */
function askPassword(request: Request, wrong: boolean): Response {
  if (acceptsHtml(request)) {
    return htmlPage(request, 401, renderPasswordPage(wrong), SHARE_CHALLENGE);
  }
  throw new HttpError(401, wrong ? "Wrong password" : "Password required", SHARE_CHALLENGE);
}

function acceptsHtml(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes("text/html");
}

function allowed(share: ShareRecord): string {
  const methods = share.mode === "read" ? ["GET", "HEAD"] : ["GET", "HEAD", "PUT"];
  if (share.password !== null) methods.push("POST");
  return methods.join(", ");
}

/** A read share: its file, or anything in its folder, through the file handlers. */
async function readShare(
  request: Request,
  ctx: RequestContext,
  share: ShareRecord,
  rest: string,
): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    await request.body?.cancel();
    throw new HttpError(405, "This link is read-only", { allow: allowed(share) });
  }
  const target = ctx.store.stat(share.segments);
  if (target === null || target.isDirectory !== (share.kind === "folder")) return gone(request);
  let store: FileStore;
  let pathname: string;
  if (share.kind === "file") {
    if (rest !== "") throw new HttpError(404, "Not found");
    store = new FileStore(dirname(target.path));
    pathname = "/" + encodeURIComponent(basename(target.path));
  } else {
    if (rest === "") return redirect(ctx, ctx.scope!.base + "/");
    store = new FileStore(target.path);
    pathname = rest;
  }
  const scoped = scopedContext(ctx, store, pathname, ctx.scope!);
  const download = isDownload(request, scoped);
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
    if (error instanceof HttpError && error.status === 410) {
      return message(request, 410, "Download limit reached", "This link has been used up.");
    }
    throw error;
  }
  const response = await serveFiles(request, scoped);
  // A folder's redirect to its slash form names a path inside the share.
  const location = response.headers.get("location");
  if (location?.startsWith("/")) response.headers.set("location", ctx.scope!.base + location);
  return response;
}

/**
 * Whether a request fetches a file or a folder archive from its start: what
 * `maxDownloads` counts (not listings, revalidations or later ranges of a
 * video being watched).
 */
function isDownload(request: Request, ctx: RequestContext): boolean {
  if (request.method !== "GET") return false;
  const h = request.headers;
  if (h.has("if-none-match") || h.has("if-modified-since")) return false;
  const range = h.get("range");
  if (range !== null && !/^\s*bytes\s*=\s*0\s*-/i.test(range)) return false;
  const { segments } = decodePath(ctx.url.pathname);
  const info = ctx.store.stat(segments);
  if (info === null) return false;
  return info.isDirectory ? ctx.url.searchParams.has("download") : info.isFile;
}

/** A drop box: its upload page, and `PUT`s into it; nothing in it can be read. */
async function dropBox(
  request: Request,
  ctx: RequestContext,
  share: ShareRecord,
  rest: string,
): Promise<Response> {
  if (request.method === "PUT") return await dropUpload(request, ctx, share, rest);
  if (request.method !== "GET" && request.method !== "HEAD") {
    await request.body?.cancel();
    throw new HttpError(405, "Method not allowed", { allow: allowed(share) });
  }
  if (rest === "") return redirect(ctx, ctx.scope!.base + "/");
  if (rest !== "/") throw new HttpError(403, "This link only takes uploads");
  if (ctx.store.stat(share.segments)?.isDirectory !== true) return gone(request);
  return htmlPage(request, 200, renderDropBoxPage(share));
}

function redirect(ctx: RequestContext, location: string): Response {
  return new Response(null, { status: 301, headers: { location: location + ctx.url.search } });
}

function gone(request: Request): Response {
  return message(
    request,
    404,
    "No longer here",
    "What this link shared has been moved or deleted.",
  );
}

function limited(request: Request, seconds: number): Response {
  return message(
    request,
    429,
    "Too many attempts",
    `Too many failed attempts from your address. Try again in ${seconds} seconds.`,
    { "retry-after": String(seconds) },
  );
}

/** A share-level refusal: a small page for browsers, a short plain or JSON reason otherwise. */
function message(
  request: Request,
  status: number,
  title: string,
  text: string,
  headers: Record<string, string> = {},
): Response {
  if (acceptsHtml(request)) {
    return htmlPage(request, status, renderShareMessage(title, text), headers);
  }
  throw new HttpError(status, title, headers);
}

const encoder = new TextEncoder();

function htmlPage(
  request: Request,
  status: number,
  html: string,
  headers: Record<string, string> = {},
): Response {
  const bytes = encoder.encode(html);
  return new Response(request.method === "HEAD" ? null : bytes, {
    status,
    headers: {
      ...UI_HEADERS,
      ...headers,
      "content-type": "text/html; charset=utf-8",
      "content-length": String(bytes.length),
      "cache-control": "no-store",
    },
  });
}
