import type { StateStore } from "../state/state_store.ts";
import { conflictingLock, type DavLock, grantedFirst, isBelow, type LockRequest } from "./lock_model.ts";

const PREFIX = "dav:lock:";

/**
 * WebDAV locks kept in the state store, one record per lock under
 * `dav:lock:<token>` that expires with the lock: they survive a restart and
 * are shared by every instance of a cluster. Locks are few, so questions
 * about a path read them all in one `list`.
 */
export class LockStore {
  readonly #store: StateStore;

  constructor(store: StateStore) {
    this.#store = store;
  }

  /** Every live lock. */
  async all(): Promise<DavLock[]> {
    return (await this.#store.list<DavLock>(PREFIX)).map((record) => record.value);
  }

  /**
   * Grants `lock` unless a live lock conflicts with it: written first, then
   * checked against every lock, and withdrawn when an older conflicting
   * grant exists — so two instances racing for one resource cannot both win.
   *
   * @returns the conflicting lock, or `null` when granted.
   */
  async grant(lock: DavLock, now: number): Promise<DavLock | null> {
    const request: LockRequest = { path: lock.path, depth: lock.depth, scope: lock.scope };
    const before = conflictingLock(await this.all(), request, now);
    if (before !== null) return before;
    await this.#store.put(PREFIX + lock.token, lock, { ttlMs: lock.expiresAt - now });
    const others = (await this.all()).filter((other) =>
      other.token !== lock.token && grantedFirst(other, lock)
    );
    const after = conflictingLock(others, request, now);
    if (after === null) return null;
    await this.#store.delete(PREFIX + lock.token);
    return after;
  }

  /** Gives `lock` a new timeout; `null` when it is gone. */
  async refresh(lock: DavLock, timeoutSeconds: number, now: number): Promise<DavLock | null> {
    const record = await this.#store.get<DavLock>(PREFIX + lock.token);
    if (record === null) return null;
    const refreshed = { ...record.value, timeoutSeconds, expiresAt: now + timeoutSeconds * 1000 };
    const ttlMs = timeoutSeconds * 1000;
    return await this.#store.compareAndSet(PREFIX + lock.token, record.version, refreshed, { ttlMs })
      ? refreshed
      : null;
  }

  /** Removes the lock with `token`; `false` when there was none. */
  remove(token: string): Promise<boolean> {
    return this.#store.delete(PREFIX + token);
  }

  /**
   * Removes the locks rooted at `path` or below it: the resource was
   * deleted, or moved (locks never follow a MOVE, RFC 4918 §7.5).
   */
  async removeWithin(path: string): Promise<void> {
    for (const lock of await this.all()) {
      if (lock.path === path || isBelow(lock.path, path)) await this.remove(lock.token);
    }
  }
}
