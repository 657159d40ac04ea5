/**
 * Upload sessions in the state store: one record per resumable upload
 * (`tus:upload:<id>`) and a short-lived lease (`tus:lease:<id>`) held by
 * the one request that writes to it, so that a restarted server, or another
 * instance of a cluster, continues where the last acknowledged append
 * ended, and two appends never interleave.
 *
 * @module
 */
import { RESUMABLE_TEMP_PREFIX } from "../path/decode_path.ts";
import type { DropTarget } from "../shares/drop_box.ts";
import type { StateStore } from "../state/state_store.ts";

/** One resumable upload, as stored. */
export interface UploadSession {
  id: string;
  /** Bytes appended, `fsync`ed and acknowledged. */
  offset: number;
  /** Total length; `null` while deferred. */
  length: number | null;
  /** The upload was finished: the file is in place. */
  complete: boolean;
  /** Target path below ROOT, as decoded segments. */
  target: string[];
  /** The temp file's folder below ROOT (segments), beside the target. */
  tempDir: string[];
  /** Refuse to replace an existing file at the end. */
  failIfExists: boolean;
  /** Expected SHA-256 of the whole upload (base64), checked at the end. */
  sha256: string | null;
  /** The `--auth` user who created it, `null` without auth and for drop-box uploads. */
  owner: string | null;
  /**
   * For an upload into a drop box (made through its share link): the name
   * reserved there, reachable only through that link. Absent otherwise.
   */
  drop?: DropTarget;
  createdAt: number;
  /** After this (epoch ms) the upload is abandoned and swept. */
  expiresAt: number;
}

/** A session with the version to update it by. */
export interface VersionedSession {
  session: UploadSession;
  version: number;
}

/** Prefix of every session key. */
export const SESSION_PREFIX = "tus:upload:";
const LEASE_PREFIX = "tus:lease:";

/**
 * How long a session record outlives its expiry in the store: long enough
 * for a sweeper to see it and remove its temp file.
 */
const RECORD_MARGIN_MS = 7 * 24 * 3600_000;

/** A lease lasts this long unless renewed; a crashed writer's lapses. */
export const LEASE_TTL_MS = 30_000;

/** The temp file name of upload `id`. */
export function tempName(id: string): string {
  return `${RESUMABLE_TEMP_PREFIX}${id}`;
}

/** A fresh upload id: 128 random bits in hex. */
export function newUploadId(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** Whether `id` looks like one `newUploadId` makes. */
export function isUploadId(id: string): boolean {
  return /^[0-9a-f]{32}$/.test(id);
}

/** The one writer of an upload, until `release()`. */
export interface UploadLease {
  /** Extends the lease; `false` when it was lost (expired and taken). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/** Upload sessions and leases over a `StateStore`. */
export class UploadSessions {
  readonly #store: StateStore;

  constructor(store: StateStore) {
    this.#store = store;
  }

  /** Stores a new session; `false` when the id is taken. */
  create(session: UploadSession): Promise<boolean> {
    return this.#store.create(SESSION_PREFIX + session.id, session, this.#ttl(session));
  }

  /** The session `id` with its version, or `null`. */
  async get(id: string): Promise<VersionedSession | null> {
    const record = await this.#store.get<UploadSession>(SESSION_PREFIX + id);
    return record === null ? null : { session: record.value, version: record.version };
  }

  /** Writes `session` if it is still at `version`; returns the new version or `null`. */
  async update(session: UploadSession, version: number): Promise<number | null> {
    const key = SESSION_PREFIX + session.id;
    if (!await this.#store.compareAndSet(key, version, session, this.#ttl(session))) return null;
    const record = await this.#store.get<UploadSession>(key);
    return record?.version ?? null;
  }

  /** Removes the session (only at `version` when given); `true` when removed. */
  remove(id: string, version?: number): Promise<boolean> {
    return this.#store.delete(SESSION_PREFIX + id, version);
  }

  /** Every stored session. */
  async list(): Promise<VersionedSession[]> {
    const records = await this.#store.list<UploadSession>(SESSION_PREFIX);
    return records.map((r) => ({ session: r.value, version: r.version }));
  }

  /** Whether some writer holds the lease of `id`. */
  async leased(id: string): Promise<boolean> {
    return await this.#store.get(LEASE_PREFIX + id) !== null;
  }

  /** Takes the lease of `id`, or `null` when another writer holds it. */
  async lease(id: string): Promise<UploadLease | null> {
    const key = LEASE_PREFIX + id;
    const holder = crypto.randomUUID();
    if (!await this.#store.create(key, holder, { ttlMs: LEASE_TTL_MS })) return null;
    const store = this.#store;
    const mine = async () => {
      const record = await store.get<string>(key);
      return record !== null && record.value === holder ? record : null;
    };
    return {
      async renew() {
        const record = await mine();
        if (record === null) return false;
        return await store.compareAndSet(key, record.version, holder, { ttlMs: LEASE_TTL_MS });
      },
      async release() {
        const record = await mine();
        if (record !== null) await store.delete(key, record.version);
      },
    };
  }

  #ttl(session: UploadSession): { ttlMs: number } {
    return { ttlMs: Math.max(1, session.expiresAt - Date.now()) + RECORD_MARGIN_MS };
  }
}
