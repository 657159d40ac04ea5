/**
 * WebDAV write locks as plain data (RFC 4918 §6–7): which locks cover a
 * path, which ones a new lock conflicts with, whether a write submitted the
 * tokens it needs, and the `lockdiscovery` XML. Pure: the clock comes in as
 * `now`.
 *
 * @module
 */
import { escapeXml } from "./xml_writer.ts";

/** One granted lock, as the lock store keeps it. */
export interface DavLock {
  /** `urn:uuid:…`. */
  token: string;
  /** The lock root as a path key (`pathKey`). */
  path: string;
  depth: "0" | "infinity";
  scope: "exclusive" | "shared";
  /** Whether the root is a folder (its URL ends in `/`). */
  collection: boolean;
  /** The `<D:owner>` content as XML, `""` when none was given. */
  owner: string;
  /** The timeout granted, in seconds. */
  timeoutSeconds: number;
  /** When the lock lapses (epoch ms). */
  expiresAt: number;
  /** The `--auth` user who took it; `null` without authentication. */
  principal: string | null;
}

/**
 * The key of a path in lock and property records: `/a/b` for segments
 * `["a", "b"]`, `""` for ROOT. Segments never hold `/`, so a key's
 * descendants are exactly the keys that start with it plus `/`.
 */
export function pathKey(segments: readonly string[]): string {
  return segments.map((segment) => "/" + segment).join("");
}

/** Whether `path` lies strictly below `ancestor` (both path keys). */
export function isBelow(path: string, ancestor: string): boolean {
  return path.length > ancestor.length && path.startsWith(ancestor + "/");
}

/** Whether `lock` applies to `path`: its root, or below it with depth infinity. */
export function covers(lock: DavLock, path: string): boolean {
  return lock.path === path || (lock.depth === "infinity" && isBelow(path, lock.path));
}

/** The live locks that apply to `path`. */
export function locksOn(locks: readonly DavLock[], path: string, now: number): DavLock[] {
  return locks.filter((lock) => lock.expiresAt > now && covers(lock, path));
}

/** The live locks rooted strictly below `path` (they hold members of a collection). */
function locksBelow(locks: readonly DavLock[], path: string, now: number): DavLock[] {
  return locks.filter((lock) => lock.expiresAt > now && isBelow(lock.path, path));
}

/** What a LOCK request asks for. */
export interface LockRequest {
  path: string;
  depth: "0" | "infinity";
  scope: "exclusive" | "shared";
}

/**
 * The first live lock a new lock would conflict with, or `null`: locks that
 * cover the new root, and with depth infinity also locks below it, conflict
 * unless both are shared.
 */
export function conflictingLock(
  locks: readonly DavLock[],
  request: LockRequest,
  now: number,
): DavLock | null {
  const relevant = [
    ...locksOn(locks, request.path, now),
    ...(request.depth === "infinity" ? locksBelow(locks, request.path, now) : []),
  ];
  return relevant.find((lock) => lock.scope === "exclusive" || request.scope === "exclusive") ??
    null;
}

/** Whether `lock`'s token was submitted by its owner. */
function held(lock: DavLock, submitted: ReadonlySet<string>, principal: string | null): boolean {
  return submitted.has(lock.token) && (lock.principal === null || lock.principal === principal);
}

/** A path a write touches, and whether it reaches everything below it too. */
export interface LockedScope {
  path: string;
  /** DELETE, MOVE or COPY onto a collection: locks below need their own tokens. */
  members: boolean;
}

/**
 * The lock that blocks a write, or `null` when the write may go on. Each
 * scope needs one submitted token among the locks that cover its path;
 * with `members`, every lock below it needs its own token too (or one of a
 * lock covering it). Tokens count only for the user who took the lock.
 */
export function blockingLock(
  locks: readonly DavLock[],
  scopes: readonly LockedScope[],
  submitted: ReadonlySet<string>,
  principal: string | null,
  now: number,
): DavLock | null {
  const heldOn = (path: string) =>
    locksOn(locks, path, now).some((lock) => held(lock, submitted, principal));
  for (const { path, members } of scopes) {
    const on = locksOn(locks, path, now);
    if (on.length > 0 && !heldOn(path)) return on[0];
    if (!members) continue;
    const missing = locksBelow(locks, path, now).find((lock) =>
      !held(lock, submitted, principal) && !heldOn(lock.path)
    );
    if (missing !== undefined) return missing;
  }
  return null;
}

/** One `<D:activelock>`; `href` is the lock root's URL path. */
export function activeLockXml(lock: DavLock, href: string, now: number): string {
  const seconds = Math.max(0, Math.ceil((lock.expiresAt - now) / 1000));
  const owner = lock.owner === "" ? "" : `<D:owner>${lock.owner}</D:owner>`;
  return "<D:activelock><D:locktype><D:write/></D:locktype>" +
    `<D:lockscope><D:${lock.scope}/></D:lockscope>` +
    `<D:depth>${lock.depth === "0" ? "0" : "infinity"}</D:depth>${owner}` +
    `<D:timeout>Second-${seconds}</D:timeout>` +
    `<D:locktoken><D:href>${escapeXml(lock.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${escapeXml(href)}</D:href></D:lockroot></D:activelock>`;
}

/** The `<D:supportedlock>` value: exclusive and shared write locks. */
export const SUPPORTED_LOCK_XML = "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope>" +
  "<D:locktype><D:write/></D:locktype></D:lockentry>" +
  "<D:lockentry><D:lockscope><D:shared/></D:lockscope>" +
  "<D:locktype><D:write/></D:locktype></D:lockentry>";
