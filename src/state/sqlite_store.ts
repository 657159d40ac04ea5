import { DatabaseSync, type StatementSync } from "node:sqlite";
import type {
  ListedRecord,
  LogEntry,
  LogRead,
  StateStore,
  StoredRecord,
  StoreStatus,
  WriteOptions,
} from "./state_store.ts";

/**
 * Schema migrations, in order; `PRAGMA user_version` is how many have run.
 * Never edit a released step: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   INSERT INTO counters VALUES ('version', 0);
   CREATE TABLE records (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     version INTEGER NOT NULL,
     expires_at INTEGER
   ) WITHOUT ROWID;
   CREATE INDEX records_expiry ON records (expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX log_name ON log (name, id);
   CREATE TABLE log_trimmed (name TEXT PRIMARY KEY, upto INTEGER NOT NULL);`,
];

/** Tuning of a `SqliteStore`. */
export interface SqliteStoreOptions {
  /** Entries each event log keeps. */
  logLength?: number;
  /** How often expired records are removed, in ms. */
  sweepMs?: number;
  /** How often a subscriber looks for entries another process appended, in ms. */
  pollMs?: number;
}

interface RecordRow {
  key: string;
  value: string;
  version: number;
  expires_at: number | null;
}

/**
 * The embedded state store: one SQLite file through `node:sqlite`, in WAL
 * mode with a busy timeout, `synchronous=FULL` (an acknowledged write
 * survives `kill -9` and power loss), every write in one transaction, and
 * a versioned schema. Expired records are invisible at once and removed by a
 * periodic sweep.
 *
 * @example
 * ```ts
 * const store = new SqliteStore("/var/lib/sluice/state.db");
 * await store.put("share:abc", { path: "/a" }, { ttlMs: 60_000 });
 * ```
 */
export class SqliteStore implements StateStore {
  readonly backend = "sqlite" as const;
  readonly #db: DatabaseSync;
  readonly #logLength: number;
  readonly #pollMs: number;
  readonly #sweep: ReturnType<typeof setInterval>;
  readonly #appended = new EventTarget();
  readonly #statements = new Map<string, StatementSync>();
  #roundTrips = 0;
  #latencyMs: number | null = null;
  #closed = false;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.#logLength = options.logLength ?? 10_000;
    this.#pollMs = options.pollMs ?? 1000;
    this.#db = new DatabaseSync(path);
    try {
      this.#db.exec("PRAGMA busy_timeout = 5000");
      this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec("PRAGMA synchronous = FULL");
      this.#migrate();
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#sweep = setInterval(() => this.#removeExpired(), options.sweepMs ?? 60_000);
    Deno.unrefTimer(Number(this.#sweep));
  }

  #migrate(): void {
    const { user_version: done } = this.#db.prepare("PRAGMA user_version").get() as {
      user_version: number;
    };
    if (done > MIGRATIONS.length) {
      throw new Error(`State database is from a newer Sluice (schema ${done})`);
    }
    for (let step = done; step < MIGRATIONS.length; step++) {
      this.#transaction(() => {
        this.#db.exec(MIGRATIONS[step]);
        this.#db.exec(`PRAGMA user_version = ${step + 1}`);
      });
    }
  }

  #sql(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    this.#roundTrips++;
    return statement;
  }

  #transaction<T>(work: () => T): T {
    const started = performance.now();
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      this.#latencyMs = performance.now() - started;
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #nextVersion(): number {
    const row = this.#sql(
      "UPDATE counters SET value = value + 1 WHERE name = 'version' RETURNING value",
    ).get() as { value: number };
    return row.value;
  }

  #live(key: string): RecordRow | undefined {
    return this.#sql(
      "SELECT key, value, version, expires_at FROM records WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)",
    ).get(key, Date.now()) as RecordRow | undefined;
  }

  #write(key: string, value: unknown, options: WriteOptions): number {
    const version = this.#nextVersion();
    this.#sql(
      `INSERT INTO records (key, value, version, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version,
       expires_at = excluded.expires_at`,
    ).run(key, JSON.stringify(value), version, expiry(options.ttlMs));
    return version;
  }

  get<T>(key: string): Promise<StoredRecord<T> | null> {
    const row = this.#live(key);
    return Promise.resolve(row ? toRecord<T>(row) : null);
  }

  put<T>(key: string, value: T, options: WriteOptions = {}): Promise<number> {
    return Promise.resolve(this.#transaction(() => this.#write(key, value, options)));
  }

  create<T>(key: string, value: T, options: WriteOptions = {}): Promise<boolean> {
    return Promise.resolve(this.#transaction(() => {
      if (this.#live(key)) return false;
      this.#write(key, value, options);
      return true;
    }));
  }

  compareAndSet<T>(
    key: string,
    version: number,
    value: T,
    options: WriteOptions = {},
  ): Promise<boolean> {
    return Promise.resolve(this.#transaction(() => {
      if (this.#live(key)?.version !== version) return false;
      this.#write(key, value, options);
      return true;
    }));
  }

  delete(key: string, version?: number): Promise<boolean> {
    return Promise.resolve(this.#transaction(() => {
      const row = this.#live(key);
      if (!row || (version !== undefined && row.version !== version)) return false;
      this.#sql("DELETE FROM records WHERE key = ?").run(key);
      return true;
    }));
  }

  list<T>(prefix: string): Promise<ListedRecord<T>[]> {
    const rows = this.#sql(
      `SELECT key, value, version, expires_at FROM records
       WHERE key >= ? AND key < ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key`,
    ).all(prefix, prefix + "\u{10FFFF}", Date.now()) as unknown as RecordRow[];
    return Promise.resolve(
      rows.filter((row) => row.key.startsWith(prefix)).map((row) => ({
        key: row.key,
        ...toRecord<T>(row),
      })),
    );
  }

  expire(key: string, ttlMs: number | null): Promise<boolean> {
    return Promise.resolve(this.#transaction(() => {
      if (!this.#live(key)) return false;
      this.#sql("UPDATE records SET expires_at = ? WHERE key = ?").run(
        expiry(ttlMs ?? undefined),
        key,
      );
      return true;
    }));
  }

  append(log: string, data: string): Promise<string> {
    const id = this.#transaction(() => {
      const { id } = this.#sql("INSERT INTO log (name, data) VALUES (?, ?) RETURNING id").get(
        log,
        data,
      ) as { id: number };
      if (id % 100 === 0) this.#trim(log);
      return id;
    });
    this.#appended.dispatchEvent(new Event(log));
    return Promise.resolve(String(id));
  }

  /** Drops all but the newest `logLength` entries of `log`, remembering where it cut. */
  #trim(log: string): void {
    const cut = this.#sql(
      "SELECT id FROM log WHERE name = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
    ).get(log, this.#logLength) as { id: number } | undefined;
    if (!cut) return;
    this.#sql("DELETE FROM log WHERE name = ? AND id <= ?").run(log, cut.id);
    this.#sql(
      `INSERT INTO log_trimmed (name, upto) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET upto = excluded.upto`,
    ).run(log, cut.id);
  }

  readAfter(log: string, afterId: string | null, limit: number): Promise<LogRead> {
    const lastRow = this.#sql("SELECT max(id) AS id FROM log WHERE name = ?").get(log) as {
      id: number | null;
    };
    const last = lastRow.id === null ? null : String(lastRow.id);
    let after = 0;
    let gap = false;
    if (afterId !== null) {
      const trimmed = this.#sql("SELECT upto FROM log_trimmed WHERE name = ?").get(log) as
        | { upto: number }
        | undefined;
      after = /^\d{1,15}$/.test(afterId) ? Number(afterId) : NaN;
      const newest = this.#sql("SELECT max(id) AS id FROM log").get() as { id: number | null };
      gap = !Number.isFinite(after) || after < (trimmed?.upto ?? 0) || after > (newest.id ?? 0);
      if (gap) after = trimmed?.upto ?? 0;
    }
    const rows = this.#sql(
      "SELECT id, data FROM log WHERE name = ? AND id > ? ORDER BY id LIMIT ?",
    ).all(log, after, limit) as unknown as { id: number; data: string }[];
    const entries = rows.map((row) => ({ id: String(row.id), data: row.data }));
    return Promise.resolve({ entries, gap, last });
  }

  async *subscribe(
    log: string,
    afterId: string | null,
    signal: AbortSignal,
  ): AsyncIterable<LogEntry> {
    let cursor = afterId ?? (await this.readAfter(log, null, 0)).last ?? "0";
    while (!signal.aborted && !this.#closed) {
      const { entries } = await this.readAfter(log, cursor, 500);
      for (const entry of entries) {
        yield entry;
        cursor = entry.id;
      }
      if (entries.length === 0) await this.#nextAppend(log, signal);
    }
  }

  /** Resolves on an append to `log` here, after `pollMs` (another process), or on abort. */
  #nextAppend(log: string, signal: AbortSignal): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = setTimeout(done, this.#pollMs);
    this.#appended.addEventListener(log, done);
    signal.addEventListener("abort", done);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    return promise.finally(() => this.#appended.removeEventListener(log, done));
  }

  #removeExpired(): void {
    if (this.#closed) return;
    try {
      this.#transaction(() =>
        this.#sql("DELETE FROM records WHERE expires_at IS NOT NULL AND expires_at <= ?").run(
          Date.now(),
        )
      );
    } catch (error) {
      console.error("State store: cannot remove expired records:", (error as Error).message);
    }
  }

  status(): StoreStatus {
    return {
      backend: this.backend,
      state: "ok",
      latencyMs: this.#latencyMs,
      roundTrips: this.#roundTrips,
    };
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#sweep);
    this.#appended.dispatchEvent(new Event("*"));
    this.#db.close();
    return Promise.resolve();
  }
}

function expiry(ttlMs: number | undefined): number | null {
  return ttlMs === undefined ? null : Date.now() + ttlMs;
}

function toRecord<T>(row: RecordRow): StoredRecord<T> {
  return { value: JSON.parse(row.value) as T, version: row.version, expiresAt: row.expires_at };
}
