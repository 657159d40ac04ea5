// @ts-types="./redis_client.d.ts"
import { createClient, type RedisClient } from "@redis/client";
import {
  type ListedRecord,
  type LogEntry,
  type LogRead,
  type StateStore,
  type StoredRecord,
  type StoreStatus,
  StoreUnavailable,
  type WriteOptions,
} from "./state_store.ts";

type Client = RedisClient;
type Reply = string | number | null | Reply[];

/** Tuning of a `RedisStore`. */
export interface RedisStoreOptions {
  /** Prefix of every key (several Sluice clusters may share one Redis). */
  namespace?: string;
  /** Entries each event log (a Redis Stream, `MAXLEN ~`) keeps. */
  logLength?: number;
  /** Interval of the health `PING`, in ms. */
  pingMs?: number;
  /** Longest wait between reconnection attempts, in ms. */
  maxBackoffMs?: number;
  /** Called once when the connection is lost and once when it is back. */
  onStateChange?: (state: "ok" | "degraded", detail: string) => void;
}

// A record is stored as "<version>:<expiresAt or empty>:<json>" under a key
// with the same PX expiry. Versions come from one counter, so a deleted and
// recreated record never reuses a version (no ABA for compare-and-set).
const PUT = `
local v = redis.call('INCR', KEYS[2])
local body = v .. ':' .. ARGV[2] .. ':' .. ARGV[1]
if ARGV[3] ~= '' then redis.call('SET', KEYS[1], body, 'PX', ARGV[3])
else redis.call('SET', KEYS[1], body) end
return v`;

const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
${PUT}`;

const COMPARE_AND_SET = `
local cur = redis.call('GET', KEYS[1])
if not cur or string.match(cur, '^(%d+):') ~= ARGV[4] then return 0 end
${PUT}`;

const DELETE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
if ARGV[1] ~= '' and string.match(cur, '^(%d+):') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;

const EXPIRE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local version, json = string.match(cur, '^(%d+):%d*:(.*)$')
local body = version .. ':' .. ARGV[1] .. ':' .. json
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], body, 'PX', ARGV[2])
else redis.call('SET', KEYS[1], body) end
return 1`;

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** Longest wait for one command's answer (a blocking read waits this much longer than it blocks). */
const COMMAND_TIMEOUT_MS = 2000;

/**
 * The shared state store: records are Redis keys with `PX` expiries, updated
 * atomically by small Lua scripts; event logs are Redis Streams (`XADD …
 * MAXLEN ~`, `XREAD BLOCK`). Commands fail fast with `StoreUnavailable`
 * while Redis is unreachable (no offline queue), and the client reconnects
 * by itself with a bounded backoff.
 *
 * @example
 * ```ts
 * const store = await RedisStore.connect("redis://127.0.0.1:6379");
 * await store.append("changes", JSON.stringify({ path: "a.txt" }));
 * ```
 */
export class RedisStore implements StateStore {
  readonly backend = "redis" as const;
  readonly #client: Client;
  readonly #url: string;
  readonly #ns: string;
  readonly #logLength: number;
  readonly #options: RedisStoreOptions;
  readonly #readers = new Set<Client>();
  #ping: ReturnType<typeof setInterval> | undefined;
  #latencyMs: number | null = null;
  #roundTrips = 0;
  #state: "ok" | "degraded" = "ok";
  #closed = false;

  private constructor(client: Client, url: string, options: RedisStoreOptions) {
    this.#client = client;
    this.#url = url;
    this.#options = options;
    this.#ns = options.namespace ?? "sluice:";
    this.#logLength = options.logLength ?? 10_000;
  }

  /**
   * Connects to `url`. Throws `StoreUnavailable` when the first connection
   * fails (a wrong URL should stop the start, not degrade silently).
   */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const client = newClient(url, options);
    const store = new RedisStore(client, url, options);
    client.on("error", () => store.#setState("degraded", "connection lost"));
    client.on("ready", () => store.#setState("ok", "connected"));
    try {
      await client.connect();
    } catch (error) {
      if (client.isOpen) client.destroy();
      throw new StoreUnavailable(`Cannot connect to Redis: ${(error as Error).message}`);
    }
    store.#ping = setInterval(() => store.#measure(), options.pingMs ?? 5000);
    Deno.unrefTimer(Number(store.#ping));
    await store.#measure();
    return store;
  }

  #setState(state: "ok" | "degraded", detail: string): void {
    if (this.#closed || state === this.#state) return;
    this.#state = state;
    this.#options.onStateChange?.(state, detail);
  }

  async #measure(): Promise<void> {
    const started = performance.now();
    try {
      await this.#command(["PING"]);
      this.#latencyMs = performance.now() - started;
    } catch {
      this.#latencyMs = null;
    }
  }

  /**
   * Sends one command. It fails with `StoreUnavailable` rather than wait:
   * when Redis is unreachable, and after `timeoutMs` without an answer (a
   * command caught by a dying connection must not hang a request).
   */
  async #command(
    args: string[],
    client: Client = this.#client,
    timeoutMs = COMMAND_TIMEOUT_MS,
  ): Promise<Reply> {
    if (this.#closed) throw new StoreUnavailable("State store is closed");
    this.#roundTrips++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no answer in time")), timeoutMs);
    });
    try {
      return await Promise.race([client.sendCommand(args) as Promise<Reply>, timeout]);
    } catch (error) {
      if (!client.isReady) this.#setState("degraded", (error as Error).message);
      throw new StoreUnavailable(`Redis: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  #script(script: string, keys: string[], args: string[]): Promise<Reply> {
    return this.#command(["EVAL", script, String(keys.length), ...keys, ...args]);
  }

  #writeArgs(value: unknown, options: WriteOptions): string[] {
    const ttl = options.ttlMs === undefined ? "" : String(Math.max(1, Math.ceil(options.ttlMs)));
    const expiresAt = options.ttlMs === undefined ? "" : String(Date.now() + options.ttlMs);
    return [JSON.stringify(value), expiresAt, ttl];
  }

  async get<T>(key: string): Promise<StoredRecord<T> | null> {
    const body = await this.#command(["GET", this.#ns + "r:" + key]);
    return typeof body === "string" ? parseRecord<T>(body) : null;
  }

  async put<T>(key: string, value: T, options: WriteOptions = {}): Promise<number> {
    return Number(
      await this.#script(PUT, this.#keys(key), this.#writeArgs(value, options)),
    );
  }

  async create<T>(key: string, value: T, options: WriteOptions = {}): Promise<boolean> {
    return Number(
      await this.#script(CREATE, this.#keys(key), this.#writeArgs(value, options)),
    ) > 0;
  }

  async compareAndSet<T>(
    key: string,
    version: number,
    value: T,
    options: WriteOptions = {},
  ): Promise<boolean> {
    const args = [...this.#writeArgs(value, options), String(version)];
    return Number(await this.#script(COMPARE_AND_SET, this.#keys(key), args)) > 0;
  }

  async delete(key: string, version?: number): Promise<boolean> {
    const args = [version === undefined ? "" : String(version)];
    return Number(await this.#script(DELETE, [this.#ns + "r:" + key], args)) > 0;
  }

  async list<T>(prefix: string): Promise<ListedRecord<T>[]> {
    const base = this.#ns + "r:";
    const keys = new Set<string>();
    let cursor = "0";
    do {
      const reply = await this.#command([
        "SCAN",
        cursor,
        "MATCH",
        escapeGlob(base + prefix) + "*",
        "COUNT",
        "1000",
      ]) as [string, string[]];
      cursor = reply[0];
      for (const key of reply[1]) keys.add(key);
    } while (cursor !== "0");
    const sorted = [...keys].sort();
    const records: ListedRecord<T>[] = [];
    for (let i = 0; i < sorted.length; i += 500) {
      const chunk = sorted.slice(i, i + 500);
      const bodies = await this.#command(["MGET", ...chunk]) as (string | null)[];
      bodies.forEach((body, j) => {
        if (body !== null) {
          records.push({ key: chunk[j].slice(base.length), ...parseRecord<T>(body) });
        }
      });
    }
    return records;
  }

  async expire(key: string, ttlMs: number | null): Promise<boolean> {
    const args = ttlMs === null
      ? ["", ""]
      : [String(Date.now() + ttlMs), String(Math.max(1, Math.ceil(ttlMs)))];
    return Number(await this.#script(EXPIRE, [this.#ns + "r:" + key], args)) > 0;
  }

  async append(log: string, data: string): Promise<string> {
    const key = this.#ns + "log:" + log;
    const args = ["XADD", key, "MAXLEN", "~", String(this.#logLength), "*", "d", data];
    return String(await this.#command(args));
  }

  async readAfter(log: string, afterId: string | null, limit: number): Promise<LogRead> {
    const key = this.#ns + "log:" + log;
    const [newest] = await this.#command(["XREVRANGE", key, "+", "-", "COUNT", "1"]) as [
      string,
      string[],
    ][];
    const last = newest?.[0] ?? null;
    let start = "-";
    let gap = false;
    if (afterId !== null) {
      const [oldest] = await this.#command(["XRANGE", key, "-", "+", "COUNT", "1"]) as [
        string,
        string[],
      ][];
      gap = !STREAM_ID.test(afterId) ||
        (last === null
          ? true
          : compareStreamIds(afterId, last) > 0 || compareStreamIds(afterId, oldest[0]) < 0);
      if (!gap) start = "(" + afterId;
    }
    if (limit <= 0) return { entries: [], gap, last };
    const rows = await this.#command(["XRANGE", key, start, "+", "COUNT", String(limit)]) as [
      string,
      string[],
    ][];
    return { entries: rows.map(toEntry), gap, last };
  }

  async *subscribe(
    log: string,
    afterId: string | null,
    signal: AbortSignal,
  ): AsyncIterable<LogEntry> {
    const key = this.#ns + "log:" + log;
    // A blocking read holds its connection: each subscription gets its own.
    // It does not reconnect: a lost connection ends this subscription with
    // StoreUnavailable (the caller subscribes again), and connecting to a
    // Redis that is down fails at once instead of retrying forever.
    const reader = this.#client.duplicate({
      url: this.#url,
      socket: { connectTimeout: 2000, reconnectStrategy: () => false },
    });
    reader.on("error", () => {});
    this.#readers.add(reader);
    const stop = () => reader.destroy();
    signal.addEventListener("abort", stop);
    try {
      try {
        await reader.connect();
      } catch (error) {
        throw new StoreUnavailable(`Redis: ${(error as Error).message}`);
      }
      let cursor = afterId ?? "$";
      while (!signal.aborted && !this.#closed) {
        let reply: [string, [string, string[]][]][] | null;
        try {
          reply = await this.#command(
            ["XREAD", "COUNT", "500", "BLOCK", "5000", "STREAMS", key, cursor],
            reader,
            5000 + COMMAND_TIMEOUT_MS,
          ) as typeof reply;
        } catch (error) {
          if (signal.aborted || this.#closed) return;
          throw error;
        }
        if (cursor === "$" && reply === null) {
          // Pin the position, so nothing appended between two reads is lost.
          cursor = (await this.readAfter(log, null, 0)).last ?? "0-0";
        }
        for (const row of reply?.[0]?.[1] ?? []) {
          cursor = row[0];
          yield toEntry(row);
        }
      }
    } finally {
      signal.removeEventListener("abort", stop);
      this.#readers.delete(reader);
      if (reader.isOpen) reader.destroy();
    }
  }

  status(): StoreStatus {
    return {
      backend: this.backend,
      state: this.#state,
      latencyMs: this.#state === "ok" ? this.#latencyMs : null,
      roundTrips: this.#roundTrips,
    };
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#ping);
    for (const reader of this.#readers) reader.destroy();
    this.#client.destroy();
    return Promise.resolve();
  }

  #keys(key: string): string[] {
    return [this.#ns + "r:" + key, this.#ns + "version"];
  }
}

/**
 * A client that gives up when the first connection fails (so `connect()`
 * rejects), and once it has been up retries forever with a bounded backoff.
 */
function newClient(url: string, options: RedisStoreOptions): Client {
  const maxBackoff = options.maxBackoffMs ?? 2000;
  let everReady = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (attempt: number, cause: Error) =>
        everReady ? Math.min(50 * 2 ** Math.min(attempt, 10), maxBackoff) : cause,
    },
  });
  client.on("ready", () => everReady = true);
  return client;
}

function parseRecord<T>(body: string): StoredRecord<T> {
  const first = body.indexOf(":");
  const second = body.indexOf(":", first + 1);
  const expires = body.slice(first + 1, second);
  return {
    version: Number(body.slice(0, first)),
    expiresAt: expires === "" ? null : Number(expires),
    value: JSON.parse(body.slice(second + 1)) as T,
  };
}

function toEntry([id, fields]: [string, string[]]): LogEntry {
  return { id, data: fields[fields.indexOf("d") + 1] ?? "" };
}

function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(BigInt);
  const [bm, bs] = b.split("-").map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
