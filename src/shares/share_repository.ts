import type { StateStore } from "../state/state_store.ts";
import type { PasswordHash } from "./token.ts";
import { hashToken, newShareId, newToken, sameSecret } from "./token.ts";
import type { ShareMode } from "./share_input.ts";

/** A share as stored (under the hash of its token; the token itself never is). */
export interface ShareRecord {
  id: string;
  tokenHash: string;
  mode: ShareMode;
  /** What was shared: a file or a folder (a drop box is always a folder). */
  kind: "file" | "folder";
  /** Decoded path segments below ROOT. */
  segments: string[];
  /** The user who made it (`null` without `--auth`). */
  creator: string | null;
  createdAt: number;
  /** Epoch ms, or `null` for never. */
  expiresAt: number | null;
  password: PasswordHash | null;
  maxDownloads: number | null;
  maxBytes: number | null;
  maxFiles: number | null;
}

/** How a share has been used; kept apart from the share so counting never rewrites it. */
export interface ShareUsage {
  /** Requests answered through the link. */
  uses: number;
  /** Files or folder archives downloaded (what `maxDownloads` limits). */
  downloads: number;
  /** Drop boxes: files stored, and reserved by uploads under way. */
  files: number;
  /** Drop boxes: bytes stored, and declared by uploads under way. */
  bytes: number;
  /** Epoch ms of the last use, `null` before the first. */
  lastUse: number | null;
}

/** A new share: everything but what the repository makes up. */
export type NewShare = Omit<ShareRecord, "id" | "tokenHash" | "createdAt">;

/**
 * How long an expired share is remembered, so its link answers 410 Gone
 * rather than 404; after that it is forgotten.
 */
export const EXPIRED_KEPT_MS = 7 * 24 * 3600_000;

const UNUSED: ShareUsage = { uses: 0, downloads: 0, files: 0, bytes: 0, lastUse: null };

/** Attempts of a compare-and-set loop before giving up (only under heavy contention). */
const CAS_ATTEMPTS = 50;

const byHash = (hash: string) => `share:h:${hash}`;
const byId = (id: string) => `share:i:${id}`;
const usageKey = (id: string) => `share:u:${id}`;
const nameKey = (path: string) => `share:n:${path}`;

/** Time to live for a share's records: until a while after it expires. */
function keep(expiresAt: number | null, now: number): { ttlMs?: number } {
  return expiresAt === null ? {} : { ttlMs: Math.max(1, expiresAt + EXPIRED_KEPT_MS - now) };
}

/**
 * Shares over the state store (`share:` keys), so a link works on every
 * cluster instance and after a restart: `share:h:<token hash>` holds the
 * share, `share:i:<id>` points from its public id to that hash,
 * `share:u:<id>` counts its use, and `share:n:<path>` reserves a drop-box
 * file name while its upload runs.
 */
export class ShareRepository {
  readonly #store: StateStore;

  constructor(store: StateStore) {
    this.#store = store;
  }

  /** Stores a new share; returns it with its token (the only time the token exists). */
  async create(share: NewShare, now: number): Promise<{ record: ShareRecord; token: string }> {
    const token = newToken();
    const record: ShareRecord = {
      ...share,
      id: newShareId(),
      tokenHash: await hashToken(token),
      createdAt: now,
    };
    const options = keep(record.expiresAt, now);
    await this.#store.put(usageKey(record.id), UNUSED, options);
    await this.#store.put(byId(record.id), record.tokenHash, options);
    await this.#store.put(byHash(record.tokenHash), record, options);
    return { record, token };
  }

  /** The share a token opens, or `null` (revoked, forgotten or never made). */
  async findByToken(token: string): Promise<ShareRecord | null> {
    const hash = await hashToken(token);
    const found = await this.#store.get<ShareRecord>(byHash(hash));
    if (found === null || !sameSecret(found.value.tokenHash, hash)) return null;
    return found.value;
  }

  /** The share with public id `id`, or `null`. */
  async findById(id: string): Promise<ShareRecord | null> {
    const hash = await this.#store.get<string>(byId(id));
    if (hash === null) return null;
    return (await this.#store.get<ShareRecord>(byHash(hash.value)))?.value ?? null;
  }

  /** Every share still remembered, oldest first, with its use. */
  async list(): Promise<{ record: ShareRecord; usage: ShareUsage }[]> {
    const records = await this.#store.list<ShareRecord>("share:h:");
    const usages = new Map(
      (await this.#store.list<ShareUsage>("share:u:")).map((u) => [u.key.slice(8), u.value]),
    );
    return records
      .map(({ value }) => ({ record: value, usage: usages.get(value.id) ?? UNUSED }))
      .sort((a, b) => a.record.createdAt - b.record.createdAt);
  }

  /** Ends a share at once; `false` when there was none. */
  async revoke(id: string): Promise<boolean> {
    const hash = await this.#store.get<string>(byId(id));
    if (hash === null) return false;
    await this.#store.delete(byHash(hash.value));
    await this.#store.delete(usageKey(id));
    await this.#store.delete(byId(id));
    return true;
  }

  /**
   * Changes a share's use atomically (compare-and-set): `change` gets the
   * current counts and returns the new ones, or throws to refuse (nothing
   * is written then).
   */
  async updateUsage(
    share: Pick<ShareRecord, "id" | "expiresAt">,
    change: (usage: ShareUsage) => ShareUsage,
    now: number,
  ): Promise<ShareUsage> {
    const key = usageKey(share.id);
    const options = keep(share.expiresAt, now);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const current = await this.#store.get<ShareUsage>(key);
      const next = change(current?.value ?? UNUSED);
      const written = current === null
        ? await this.#store.create(key, next, options)
        : await this.#store.compareAndSet(key, current.version, next, options);
      if (written) return next;
    }
    throw new Error("Share usage is too contended to update");
  }

  /**
   * Reserves the file path `path` for one drop-box upload (on every
   * instance): `false` when another upload holds it.
   */
  reserveName(path: string, shareId: string, ttlMs: number): Promise<boolean> {
    return this.#store.create(nameKey(path), shareId, { ttlMs });
  }

  /** Releases a name `reserveName` took. */
  async releaseName(path: string): Promise<void> {
    await this.#store.delete(nameKey(path));
  }
}
