import type { Handler, RequestContext } from "../context.ts";
import { DavBodyError, lockInfo } from "../dav/dav_bodies.ts";
import { DavError } from "../dav/dav_error.ts";
import { parseDepth, parseLockToken, parseTimeout } from "../dav/dav_headers.ts";
import { submittedTokens } from "../dav/if_header.ts";
import { activeLockXml, type DavLock, locksOn, pathKey } from "../dav/lock_model.ts";
import { LockStore } from "../dav/lock_store.ts";
import { readXmlBody } from "../dav/xml_reader.ts";
import { XML_CONTENT_TYPE, XML_DECLARATION } from "../dav/xml_writer.ts";
import { FileWriter } from "../fs/file_writer.ts";
import { HttpError } from "../http/http_error.ts";
import { checkWritablePath } from "../path/check_writable_path.ts";
import { decodePath } from "../path/decode_path.ts";
import { requireStore } from "../state/require_store.ts";
import { checkDavWrite, lockHref } from "./dav_guard.ts";

/**
 * `LOCK` (RFC 4918 §9.10): with a `lockinfo` body, grants an exclusive or
 * shared write lock (`Depth: 0` or `infinity`, the default) for the
 * `Timeout` asked (at most a week), 423 with `no-conflicting-lock` when it
 * conflicts; on an unmapped URL it creates an empty file (201). Without a
 * body it refreshes the lock whose token the `If` header submits. Locks
 * live in the state store: they survive restarts and hold across a
 * cluster.
 */
export const lock: Handler = async (request, ctx) => {
  const locks = new LockStore(requireStore(ctx));
  const { segments, trailingSlash } = decodePath(ctx.url.pathname);
  checkWritablePath(segments, ctx.config.dotfiles);
  const body = await readXmlBody(request);
  const timeout = parseTimeout(request.headers.get("timeout"));
  const now = Date.now();
  if (body === null) return await refresh(request, ctx, locks, segments, timeout, now);

  let info;
  try {
    info = lockInfo(body);
  } catch (error) {
    if (error instanceof DavBodyError) throw new HttpError(400, error.message);
    throw error;
  }
  const depth = parseDepth(request.headers.get("depth"), ["0", "infinity"]) as "0" | "infinity";
  const writer = new FileWriter(ctx.store.root, { temps: ctx.state.temps });
  const target = writer.locate(segments);
  if (trailingSlash && target.existing !== null && !target.existing.isDirectory) {
    throw new HttpError(404, "Not found");
  }
  const unmapped = target.existing === null && !target.isSymlink;
  if (unmapped && target.missing.length > 0) {
    throw new HttpError(409, "Parent folder does not exist");
  }
  // Only the If header and the parent's locks matter here; conflicts are the grant's business.
  await checkDavWrite(request, ctx, unmapped ? [{ segments: segments.slice(0, -1) }] : []);
  const granted: DavLock = {
    token: `urn:uuid:${crypto.randomUUID()}`,
    path: pathKey(segments),
    depth,
    scope: info.scope,
    collection: target.existing?.isDirectory === true,
    owner: info.owner,
    timeoutSeconds: timeout,
    expiresAt: now + timeout * 1000,
    principal: ctx.user?.user ?? null,
  };
  const conflict = await locks.grant(granted, now);
  if (conflict !== null) {
    throw new DavError(423, "Locked", "no-conflicting-lock", [lockHref(conflict)]);
  }
  if (unmapped) {
    try {
      await writer.write(target, emptyBody(), (current) => {
        if (current !== null) throw new HttpError(409, "Created by someone else meanwhile");
      });
    } catch (error) {
      await locks.remove(granted.token);
      throw error;
    }
    ctx.store.cache.clear();
  }
  return lockResponse(granted, unmapped ? 201 : 200, now, true);
};

/** A refresh: the lock on this URL whose token the `If` header names gets a new timeout. */
async function refresh(
  request: Request,
  ctx: RequestContext,
  locks: LockStore,
  segments: string[],
  timeout: number,
  now: number,
): Promise<Response> {
  if (!request.headers.has("if")) {
    throw new HttpError(400, "LOCK without a body refreshes a lock: send its token in If");
  }
  const check = await checkDavWrite(request, ctx, []);
  const tokens = submittedTokens(check.lists ?? []);
  const found = locksOn(check.locks, pathKey(segments), now).find((candidate) =>
    tokens.has(candidate.token)
  );
  if (found === undefined) {
    throw new DavError(
      412,
      "No lock on this URL has the token given",
      "lock-token-matches-request-uri",
    );
  }
  const refreshed = await locks.refresh(found.token, timeout, now);
  if (refreshed === null) throw new HttpError(412, "The lock expired meanwhile");
  return lockResponse(refreshed, 200, now, false);
}

function lockResponse(granted: DavLock, status: number, now: number, withToken: boolean): Response {
  const body = `${XML_DECLARATION}<D:prop xmlns:D="DAV:"><D:lockdiscovery>` +
    `${activeLockXml(granted, lockHref(granted), now)}</D:lockdiscovery></D:prop>\n`;
  const headers: Record<string, string> = { "content-type": XML_CONTENT_TYPE };
  if (withToken) headers["lock-token"] = `<${granted.token}>`;
  return new Response(body, { status, headers });
}

function emptyBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}

/**
 * `UNLOCK` (RFC 4918 §9.11): removes the lock named by `Lock-Token` when it
 * covers the request URL (204); 409 with `lock-token-matches-request-uri`
 * otherwise; 403 when another `--auth` user took it.
 */
export const unlock: Handler = async (request, ctx) => {
  const locks = new LockStore(requireStore(ctx));
  const { segments } = decodePath(ctx.url.pathname);
  const token = parseLockToken(request.headers.get("lock-token"));
  const found = locksOn(await locks.all(), pathKey(segments), Date.now()).find((candidate) =>
    candidate.token === token
  );
  if (found === undefined) {
    throw new DavError(409, "No lock on this URL has this token", "lock-token-matches-request-uri");
  }
  if (found.principal !== null && found.principal !== (ctx.user?.user ?? null)) {
    throw new HttpError(403, "The lock belongs to another user");
  }
  await locks.remove(token);
  return new Response(null, { status: 204 });
};
