import type { RequestContext } from "../context.ts";
import { DavError } from "../dav/dav_error.ts";
import {
  evaluateIf,
  type IfList,
  ifResources,
  parseIf,
  type ResourceState,
  submittedTokens,
} from "../dav/if_header.ts";
import {
  blockingLock,
  type DavLock,
  type LockedScope,
  locksOn,
  pathKey,
} from "../dav/lock_model.ts";
import { LockStore } from "../dav/lock_store.ts";
import { makeEtag } from "../http/etag.ts";
import { HttpError } from "../http/http_error.ts";
import { decodePath, encodePath } from "../path/decode_path.ts";

/** A resource a write changes. */
export interface WriteScope {
  segments: readonly string[];
  /** The write adds or removes it, so its parent folder's membership changes too. */
  membership?: boolean;
  /** The write reaches everything below it (DELETE, MOVE, COPY onto a folder). */
  members?: boolean;
}

/** What the check read: the parsed `If` header and the live locks (a LOCK refresh finds its lock there). */
export interface WriteCheck {
  locks: DavLock[];
  lists: IfList[] | null;
}

/**
 * Checks a write against the `If` header (RFC 4918 §10.4) and the locks
 * (§7): 412 when the `If` header evaluates false, 423 with a
 * `lock-token-submitted` body when a lock on an affected resource was not
 * submitted by its owner. Without a state store there are no locks, and
 * only the `If` header's ETags can fail.
 *
 * @throws {HttpError} 400 for a malformed `If`, 412; {DavError} 423.
 */
export async function checkDavWrite(
  request: Request,
  ctx: RequestContext,
  scopes: readonly WriteScope[],
): Promise<WriteCheck> {
  // `DELETE /a/#frag` must not delete `/a/`: the fragment was never meant for the server.
  if (ctx.url.hash !== "") throw new HttpError(400, "Request URI has a fragment");
  const header = request.headers.get("if");
  let lists: IfList[] | null = null;
  if (header !== null) {
    try {
      lists = parseIf(header);
    } catch (error) {
      if (error instanceof SyntaxError) throw new HttpError(400, error.message);
      throw error;
    }
  }
  const locks = ctx.stateStore ? await new LockStore(ctx.stateStore).all() : [];
  const now = Date.now();
  if (lists !== null) {
    const states = new Map<string | null, ResourceState>();
    for (const resource of ifResources(lists)) {
      states.set(resource, resourceState(ctx, resource, locks, now));
    }
    if (!evaluateIf(lists, (resource) => states.get(resource)!)) {
      throw new HttpError(412, "If header condition failed");
    }
  }
  const scopesOnPaths: LockedScope[] = [];
  for (const scope of scopes) {
    scopesOnPaths.push({ path: pathKey(scope.segments), members: scope.members === true });
    if (scope.membership && scope.segments.length > 0) {
      scopesOnPaths.push({ path: pathKey(scope.segments.slice(0, -1)), members: false });
    }
  }
  const submitted = lists === null ? new Set<string>() : submittedTokens(lists);
  const principal = ctx.user?.user ?? null;
  const blocking = blockingLock(locks, scopesOnPaths, submitted, principal, now);
  if (blocking !== null) {
    throw new DavError(423, "Locked", "lock-token-submitted", [lockHref(blocking)]);
  }
  return { locks, lists };
}

/** The URL path of a lock's root. */
export function lockHref(lock: DavLock): string {
  return encodePath(lock.path.split("/").slice(1), lock.collection);
}

/** The ETag and lock tokens of the resource an `If` list names (`null`: the request URI). */
function resourceState(
  ctx: RequestContext,
  resource: string | null,
  locks: DavLock[],
  now: number,
): ResourceState {
  let segments: string[];
  if (resource === null) {
    segments = decodePath(ctx.url.pathname).segments;
  } else {
    let url: URL;
    try {
      url = new URL(resource, ctx.url);
    } catch {
      throw new HttpError(400, "Invalid resource tag in If header");
    }
    // A tag for another server never matches anything here.
    if (url.host !== ctx.url.host) return { etag: null, tokens: [] };
    segments = decodePath(url.pathname).segments;
  }
  const info = ctx.store.stat(segments);
  return {
    etag: info === null ? null : makeEtag(info),
    tokens: locksOn(locks, pathKey(segments), now).map((lock) => lock.token),
  };
}
