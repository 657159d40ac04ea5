import type { StateStore } from "../state/state_store.ts";
import { conflictingLock, type DavLock, isBelow } from "./lock_model.ts";

/** The one record that holds every lock. */
const KEY = "dav:locks";

/** Most attempts of a change that keeps losing compare-and-set races. */
const ATTEMPTS = 16;

/** The stored record. */
interface LockTable {
  locks: DavLock[];
}

/**
 * WebDAV locks kept in the state store: they survive a restart and are
 * shared by every instance of a cluster. Locks are few, so they live in one
 * record (`dav:locks`): checking a write costs one `get` (no key scan, which
 * on Redis walks the whole keyspace), and every change is a
 * compare-and-set of the whole table, so two instances racing for one
 * resource cannot both win. Expired locks are dropped whenever the table
 * is written, and ignored until then.
 */
export class LockStore {
  readonly #store: StateStore;

  constructor(store: StateStore) {
    this.#store = store;
  }

  /** Every live lock. */
  async all(now = Date.now()): Promise<DavLock[]> {
    const record = await this.#store.get<LockTable>(KEY);
    return (record?.value.locks ?? []).filter((lock) => lock.expiresAt > now);
  }

  /**
   * Applies `change` to the live locks atomically, retried from a fresh
   * read when another writer got in between. `change` returns the new list,
   * or `null` to leave the table as it is.
   *
   * @throws {Error} when the table keeps changing under it.
   */
  async #update(now: number, change: (locks: DavLock[]) => DavLock[] | null): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const record = await this.#store.get<LockTable>(KEY);
      const live = (record?.value.locks ?? []).filter((lock) => lock.expiresAt > now);
      const next = change(live);
      if (next === null) return;
      const written = record === null
        ? await this.#store.create<LockTable>(KEY, { locks: next })
        : await this.#store.compareAndSet<LockTable>(KEY, record.version, { locks: next });
      if (written) return;
    }
    throw new Error("Locks kept changing during the update");
  }

  /**
   * Grants `lock` unless a live lock conflicts with it.
   *
   * @returns the conflicting lock, or `null` when granted.
   */
  async grant(lock: DavLock, now: number): Promise<DavLock | null> {
    let conflict: DavLock | null = null;
    await this.#update(now, (locks) => {
      conflict = conflictingLock(locks, lock, now);
      return conflict === null ? [...locks, lock] : null;
    });
    return conflict;
  }

  /** Gives the lock with `token` a new timeout; `null` when it is gone. */
  async refresh(token: string, timeoutSeconds: number, now: number): Promise<DavLock | null> {
    let refreshed: DavLock | null = null;
    await this.#update(now, (locks) => {
      const found = locks.find((lock) => lock.token === token);
      if (found === undefined) return null;
      refreshed = { ...found, timeoutSeconds, expiresAt: now + timeoutSeconds * 1000 };
      return locks.map((lock) => lock === found ? refreshed! : lock);
    });
    return refreshed;
  }

  /** Removes the lock with `token`. */
  remove(token: string, now = Date.now()): Promise<void> {
    return this.#update(now, (locks) => {
      const kept = locks.filter((lock) => lock.token !== token);
      return kept.length === locks.length ? null : kept;
    });
  }

  /**
   * Removes the locks rooted at `path` or below it: the resource was
   * deleted, or moved (locks never follow a MOVE, RFC 4918 §7.5).
   */
  removeWithin(path: string, now = Date.now()): Promise<void> {
    return this.#update(now, (locks) => {
      const kept = locks.filter((lock) => lock.path !== path && !isBelow(lock.path, path));
      return kept.length === locks.length ? null : kept;
    });
  }
}
