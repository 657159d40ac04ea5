/**
 * The state port: small keyed records with optional expiry, and append-only
 * event logs. Features (WebDAV locks and properties, upload sessions, shares,
 * the cluster change bus) own the shape of their records; the store only
 * keeps JSON values. Adapters: `sqlite_store.ts` (one node, the default) and
 * `redis_store.ts` (a cluster). Nothing but the wiring in `server.ts`
 * imports an adapter.
 *
 * @module
 */

/** A stored record: its value, a version that changes on every write, and its expiry. */
export interface StoredRecord<T> {
  value: T;
  /** Increases with every write of the key; the token for `compareAndSet`. */
  version: number;
  /** When the record expires (epoch ms), or `null` for never. */
  expiresAt: number | null;
}

/** A record with its key, as `list()` returns it. */
export interface ListedRecord<T> extends StoredRecord<T> {
  key: string;
}

/** Options of a write. */
export interface WriteOptions {
  /** Time to live in milliseconds; absent means the record never expires. */
  ttlMs?: number;
}

/** One entry of an event log. */
export interface LogEntry {
  /** Opaque, increasing within one log (compare only with `compareLogIds`). */
  id: string;
  data: string;
}

/** What `readAfter` found. */
export interface LogRead {
  entries: LogEntry[];
  /**
   * The id asked for is older than what the log still keeps (or unknown):
   * entries may have been missed, and the caller should reset its view.
   */
  gap: boolean;
  /** The newest id in the log (to resume from), `null` when the log is empty. */
  last: string | null;
}

/** Health of the store, for `/_/health` and `/_/metrics`. */
export interface StoreStatus {
  backend: "sqlite" | "redis";
  /** `ok`, or `degraded` when the backend cannot be reached. */
  state: "ok" | "degraded";
  /** Latency of the last round trip (a `PING` or a trivial query), in ms. */
  latencyMs: number | null;
  /** Round trips made so far (Redis) or statements run (SQLite). */
  roundTrips: number;
}

/**
 * The backend is unreachable (Redis down): the feature that needs shared
 * state answers 503 with `Retry-After`. `app.ts` maps it.
 */
export class StoreUnavailable extends Error {
  override name = "StoreUnavailable";
  constructor(message = "State store unavailable") {
    super(message);
  }
}

/** Keyed records with expiry, plus event logs; every method is atomic. */
export interface StateStore {
  readonly backend: "sqlite" | "redis";

  /** The record under `key`, or `null` when absent or expired. */
  get<T>(key: string): Promise<StoredRecord<T> | null>;

  /** Writes `value` under `key` unconditionally; returns the new version. */
  put<T>(key: string, value: T, options?: WriteOptions): Promise<number>;

  /** Writes only when `key` is absent (or expired); `true` when written. */
  create<T>(key: string, value: T, options?: WriteOptions): Promise<boolean>;

  /**
   * Writes only when the stored version is `version`; `true` when written.
   * A missing or expired record never matches.
   */
  compareAndSet<T>(
    key: string,
    version: number,
    value: T,
    options?: WriteOptions,
  ): Promise<boolean>;

  /** Removes `key` (only at `version` when given); `true` when something was removed. */
  delete(key: string, version?: number): Promise<boolean>;

  /** Every live record whose key starts with `prefix`, in key order. */
  list<T>(prefix: string): Promise<ListedRecord<T>[]>;

  /** Sets (`ttlMs`) or clears (`null`) the expiry of `key`; `false` when absent. */
  expire(key: string, ttlMs: number | null): Promise<boolean>;

  /** Appends to the event log `log` (created on first use); returns the entry's id. */
  append(log: string, data: string): Promise<string>;

  /**
   * Up to `limit` entries after `afterId` (from the start with `null`).
   * Logs keep a bounded number of recent entries.
   */
  readAfter(log: string, afterId: string | null, limit: number): Promise<LogRead>;

  /**
   * Live entries appended after `afterId` (after the current end with
   * `null`), as they arrive, until `signal` aborts. Throws
   * `StoreUnavailable` when the backend goes away.
   */
  subscribe(log: string, afterId: string | null, signal: AbortSignal): AsyncIterable<LogEntry>;

  /** Current health (cheap: no round trip). */
  status(): StoreStatus;

  /** Releases connections and files. */
  close(): Promise<void>;
}

/**
 * Compares two ids of the same log: negative when `a` is older than `b`.
 * Ids are `<ms>-<seq>` (Redis streams) or decimal integers (SQLite).
 *
 * @example
 * ```ts
 * compareLogIds("1-2", "1-10"); // negative
 * ```
 */
export function compareLogIds(a: string, b: string): number {
  const [am, as = "0"] = a.split("-");
  const [bm, bs = "0"] = b.split("-");
  const major = BigInt(am) - BigInt(bm);
  if (major !== 0n) return major < 0n ? -1 : 1;
  const minor = BigInt(as) - BigInt(bs);
  return minor === 0n ? 0 : minor < 0n ? -1 : 1;
}
