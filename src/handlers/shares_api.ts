import type { Handler, RequestContext } from "../context.ts";
import { HttpError } from "../http/http_error.ts";
import { WWW_AUTHENTICATE } from "../auth/authorize.ts";
import { isHidden } from "../path/decode_path.ts";
import { qrSvg } from "../shares/qr_svg.ts";
import { parseShareRequest } from "../shares/share_input.ts";
import { SHARE_LINK_PREFIX } from "../shares/share_link_path.ts";
import { type ShareRecord, ShareRepository, type ShareUsage } from "../shares/share_repository.ts";
import { hashPassword, isShareIdShaped } from "../shares/token.ts";
import { requireStore } from "../state/require_store.ts";

/** Largest request body of `POST /_/api/shares`, in bytes. */
const MAX_BODY = 16 * 1024;

/** Where a share's id is in `DELETE /_/api/shares/<id>`. */
export const SHARES_API = "/_/api/shares";

/**
 * Who may make and manage shares: with `--auth`, users with write access
 * (each sees and revokes their own); without it, anyone, but only when
 * writes are enabled (`--upload`, which `checkSafety` keeps on loopback
 * unless `--insecure`).
 *
 * @returns the user's name, or `null` without `--auth`.
 * @throws {HttpError} 401 or 403.
 */
function sharer(ctx: RequestContext): string | null {
  if (ctx.config.auth.length > 0) {
    if (ctx.user === null) {
      throw new HttpError(401, "Authentication required", { "www-authenticate": WWW_AUTHENTICATE });
    }
    if (ctx.user.access !== "rw") throw new HttpError(403, "Sharing needs write access");
    return ctx.user.user;
  }
  if (!ctx.config.upload) throw new HttpError(403, "Sharing needs --upload or --auth");
  return null;
}

async function readJson(request: Request): Promise<unknown> {
  const length = request.headers.get("content-length");
  if (length !== null && Number(length) > MAX_BODY) {
    await request.body?.cancel();
    throw new HttpError(413, "Request body too large");
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let text = "";
  let size = 0;
  try {
    for await (const chunk of request.body ?? []) {
      size += chunk.length;
      if (size > MAX_BODY) throw new HttpError(413, "Request body too large");
      text += decoder.decode(chunk, { stream: true });
    }
    text += decoder.decode();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, "Request body is not UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "Invalid JSON");
  }
}

function sharedPath(share: Pick<ShareRecord, "segments" | "kind">): string {
  const path = "/" + share.segments.join("/");
  return share.kind === "folder" && share.segments.length > 0 ? path + "/" : path;
}

function expires(at: number | null): string {
  return at === null ? "never" : new Date(at).toISOString();
}

/**
 * `POST /_/api/shares` with `{ "path", "mode": "read" | "upload",
 * "expires"?, "password"?, "maxDownloads"?, "maxBytes"?, "maxFiles"? }`:
 * makes a share link and answers `201` with `{ id, url, mode, path,
 * expires, qr }` (`qr`: the link as an SVG QR code). The token is in `url`
 * here and nowhere else, ever.
 */
export const createShare: Handler = async (request, ctx) => {
  const creator = sharer(ctx);
  const store = requireStore(ctx);
  const now = Date.now();
  const input = parseShareRequest(await readJson(request), now);
  if (isHidden(input.segments, ctx.config.dotfiles)) throw new HttpError(404, "Not found");
  const info = ctx.store.stat(input.segments);
  if (info === null || (!info.isDirectory && !info.isFile)) throw new HttpError(404, "Not found");
  if (input.mode === "upload") {
    if (!info.isDirectory) throw new HttpError(400, "A drop box must be a folder");
    if (!ctx.config.upload) throw new HttpError(403, "Uploads are turned off on this server");
  }
  const { record, token } = await new ShareRepository(store).create({
    mode: input.mode,
    kind: info.isDirectory ? "folder" : "file",
    segments: input.segments,
    creator,
    expiresAt: input.expiresAt,
    password: input.password === null ? null : await hashPassword(input.password),
    maxDownloads: input.maxDownloads,
    maxBytes: input.maxBytes,
    maxFiles: input.maxFiles,
  }, now);
  const url = new URL(
    SHARE_LINK_PREFIX + token + (record.kind === "folder" ? "/" : ""),
    ctx.url.origin,
  ).href;
  const body = JSON.stringify({
    id: record.id,
    url,
    mode: record.mode,
    path: sharedPath(record),
    expires: expires(record.expiresAt),
    qr: await qrSvg(url),
  });
  return new Response(body, {
    status: 201,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      location: `${SHARES_API}/${record.id}`,
    },
  });
};

/** One share as `GET /_/api/shares` lists it: everything but secrets. */
function describe(ctx: RequestContext, share: ShareRecord, usage: ShareUsage, now: number) {
  const target = ctx.store.stat(share.segments);
  return {
    id: share.id,
    mode: share.mode,
    kind: share.kind,
    path: sharedPath(share),
    creator: share.creator,
    created: new Date(share.createdAt).toISOString(),
    expires: expires(share.expiresAt),
    expired: share.expiresAt !== null && share.expiresAt <= now,
    // Deleted or moved (or replaced by a folder for a file): the link answers 404.
    missing: target === null || target.isDirectory !== (share.kind === "folder"),
    password: share.password !== null,
    maxDownloads: share.maxDownloads,
    maxBytes: share.maxBytes,
    maxFiles: share.maxFiles,
    uses: usage.uses,
    downloads: usage.downloads,
    files: usage.files,
    bytes: usage.bytes,
    lastUse: usage.lastUse === null ? null : new Date(usage.lastUse).toISOString(),
  };
}

/**
 * `GET /_/api/shares`: the caller's shares (everyone's without `--auth`),
 * oldest first, with their use and whether their target is still there;
 * never a token.
 */
export const listShares: Handler = async (_request, ctx) => {
  const creator = sharer(ctx);
  const now = Date.now();
  const all = await new ShareRepository(requireStore(ctx)).list();
  const mine = all.filter(({ record }) =>
    ctx.config.auth.length === 0 || record.creator === creator
  );
  const body = JSON.stringify(mine.map(({ record, usage }) => describe(ctx, record, usage, now)));
  return new Response(body, {
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
};

/**
 * `DELETE /_/api/shares/<id>`: revokes a share at once (downloads under way
 * may finish; new requests get 404). Only its creator may, under `--auth`.
 */
export const revokeShare: Handler = async (_request, ctx) => {
  const creator = sharer(ctx);
  const id = ctx.url.pathname.slice(SHARES_API.length + 1);
  if (!isShareIdShaped(id)) throw new HttpError(404, "No such share");
  const repo = new ShareRepository(requireStore(ctx));
  const share = await repo.findById(id);
  if (share === null || (ctx.config.auth.length > 0 && share.creator !== creator)) {
    throw new HttpError(404, "No such share");
  }
  await repo.revoke(id);
  return new Response(null, { status: 204 });
};
