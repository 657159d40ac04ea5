import { join } from "node:path";
import type { Change, ChangeSource, FeedItem } from "../fs/change_feed.ts";
import { FeedQueue } from "../fs/feed_queue.ts";
import type { StateStore } from "../state/state_store.ts";

/** The event log every instance of a cluster appends its changes to. */
export const CHANGES_LOG = "changes";

/** Tuning and collaborators of a `ClusterFeed`. */
export interface ClusterFeedOptions {
  /** Called for every change from the bus, whichever instance made it (drop cached bytes). */
  onChange?: (change: Change) => void;
  /** Items queued for a subscriber that is not reading, before it is reset. */
  queueSize?: number;
  /** How long two instances' watchers count as seeing the same change, in ms. */
  claimMs?: number;
  /** Wait before retrying the bus after it failed, in ms. */
  retryMs?: number;
  /** One line to the log when the bus goes down or comes back. */
  log?: (line: string) => void;
}

interface Subscriber {
  queue: FeedQueue;
  /** Live items arriving while a replay is read are held back until it is done. */
  replaying: FeedItem[] | null;
  /** Shared-log id this subscriber has seen up to: older live items are skipped. */
  floor: string | null;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      resolve();
    }
  });

/**
 * The change feed of a cluster: every instance's watcher publishes what it
 * sees to one event log in the shared store (a Redis Stream), and every
 * instance's subscribers read that log, so all see every change once, in
 * the same order, with ids that mean the same on every instance
 * (`Last-Event-ID` resumes on any of them).
 *
 * Instances whose watchers see the same folder (one host, or a shared
 * filesystem that reports remote writes) publish a change once: the first
 * to claim it (a short-lived record keyed by the change and the file's
 * inode, size and mtime) appends it.
 *
 * While the store is unreachable subscribers get one `reset` and then this
 * instance's own changes (ids prefixed `L`); when it returns, another
 * `reset`, and the shared log again.
 */
export class ClusterFeed implements ChangeSource {
  readonly #local: ChangeSource;
  readonly #store: StateStore;
  readonly #root: string;
  readonly #onChange: (change: Change) => void;
  readonly #queueSize: number;
  readonly #claimMs: number;
  readonly #retryMs: number;
  readonly #log: (line: string) => void;
  readonly #subscribers = new Set<Subscriber>();
  readonly #stop = new AbortController();
  #cursor: string | null = null;
  #shared = true;
  #loops: Promise<unknown> = Promise.resolve();

  constructor(
    root: string,
    local: ChangeSource,
    store: StateStore,
    options: ClusterFeedOptions = {},
  ) {
    this.#root = root;
    this.#local = local;
    this.#store = store;
    this.#onChange = options.onChange ?? (() => {});
    this.#queueSize = options.queueSize ?? 256;
    this.#claimMs = options.claimMs ?? 5000;
    this.#retryMs = options.retryMs ?? 1000;
    this.#log = options.log ?? ((line) => console.error(line));
  }

  /** Starts publishing this instance's changes and reading everyone's. */
  start(): void {
    this.#loops = Promise.all([this.#publishLoop(), this.#readLoop()]);
  }

  /** Number of current subscribers on this instance. */
  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Whether subscribers get the shared log (`false` while it is unreachable). */
  get shared(): boolean {
    return this.#shared;
  }

  subscribe(lastEventId: string | null): ReadableStream<FeedItem> {
    const subscriber: Subscriber = {
      queue: new FeedQueue(),
      replaying: [],
      floor: lastEventId !== null && STREAM_ID.test(lastEventId) ? lastEventId : null,
    };
    this.#subscribers.add(subscriber);
    return subscriber.queue.readable(() => this.#subscribers.delete(subscriber), async () => {
      const replay = await this.#catchUp(lastEventId);
      const held = subscriber.replaying ?? [];
      subscriber.replaying = null;
      if (replay[0]?.type === "reset") subscriber.floor = null;
      subscriber.floor = replay.findLast((item) => item.type === "change")?.id ??
        subscriber.floor;
      const fresh = held.filter((item) => !this.#seen(subscriber, item));
      subscriber.queue.prepend([...replay, { type: "ready", id: this.#readyId() }, ...fresh]);
    });
  }

  /** Stops both loops and ends every subscription. */
  async close(): Promise<void> {
    this.#stop.abort();
    for (const subscriber of this.#subscribers) subscriber.queue.end();
    this.#subscribers.clear();
    await this.#loops;
  }

  #readyId(): string {
    return this.#shared ? this.#cursor ?? "0-0" : "L";
  }

  async #catchUp(lastEventId: string | null): Promise<FeedItem[]> {
    if (lastEventId === null) return [];
    if (!this.#shared) {
      return [{ type: "reset", id: "L", reason: "Change feed degraded: shared log unreachable" }];
    }
    try {
      const items: FeedItem[] = [];
      let after = lastEventId;
      for (let round = 0; round < 20; round++) {
        const read = await this.#store.readAfter(CHANGES_LOG, after, 500);
        if (read.gap) {
          return [{ type: "reset", id: read.last ?? "0-0", reason: "Last-Event-ID is too old" }];
        }
        for (const entry of read.entries) {
          const change = parseChange(entry.data);
          if (change) items.push({ type: "change", id: entry.id, change });
          after = entry.id;
        }
        if (read.entries.length < 500) return items;
      }
      return [{ type: "reset", id: after, reason: "Too many changes to replay" }];
    } catch {
      return [{ type: "reset", id: "L", reason: "Change feed degraded: shared log unreachable" }];
    }
  }

  /** Appends what this instance's watcher sees (claimed once per change across instances). */
  async #publishLoop(): Promise<void> {
    const reader = this.#local.subscribe(null).getReader();
    this.#stop.signal.addEventListener("abort", () => reader.cancel(), { once: true });
    while (true) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done || value === undefined) return;
      if (value.type === "reset" && !this.#shared) {
        this.#broadcast({ type: "reset", id: "L", reason: value.reason });
      }
      if (value.type !== "change") continue;
      // While the store is down, do not wait for it: subscribers get their
      // reset first, then this instance's changes at once.
      if (this.#shared && this.#store.status().state === "degraded") {
        this.#degrade("the store reports it is unreachable");
      }
      if (!this.#shared) {
        this.#broadcast({ type: "change", id: `L${value.id}`, change: value.change });
        continue;
      }
      try {
        if (await this.#claim(value.change)) {
          await this.#store.append(CHANGES_LOG, JSON.stringify(value.change));
        }
      } catch (error) {
        // The bus is down: subscribers get their reset before this change,
        // never an L id in the shared sequence; the read loop recovers.
        if (this.#shared) this.#degrade((error as Error).message);
        this.#broadcast({ type: "change", id: `L${value.id}`, change: value.change });
      }
    }
  }

  async #claim(change: Change): Promise<boolean> {
    let signature = "gone";
    if (change.type !== "removed") {
      try {
        const info = await Deno.stat(join(this.#root, ...change.path.split("/")));
        signature = `${info.ino}:${info.size}:${info.mtime?.getTime()}`;
      } catch {
        // Gone again already: claim on the change alone.
      }
    }
    const bytes = new TextEncoder().encode(JSON.stringify(change) + signature);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const key = "bus:claim:" + Array.from(digest.subarray(0, 16), hex).join("");
    return await this.#store.create(key, 1, { ttlMs: this.#claimMs });
  }

  /** Reads the shared log and fans each entry out to this instance's subscribers. */
  async #readLoop(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        // A round trip first (it throws while the store is down): recover
        // only once the store answers, not on every retry.
        const { last } = await this.#store.readAfter(CHANGES_LOG, null, 0);
        if (!this.#shared) this.#recover();
        this.#cursor ??= last ?? "0-0";
        for await (const entry of this.#store.subscribe(CHANGES_LOG, this.#cursor, signal)) {
          this.#cursor = entry.id;
          const change = parseChange(entry.data);
          if (!change) continue;
          this.#onChange(change);
          this.#broadcast({ type: "change", id: entry.id, change });
        }
      } catch (error) {
        if (signal.aborted) return;
        if (this.#shared) this.#degrade((error as Error).message);
        await sleep(this.#retryMs, signal);
      }
    }
  }

  #degrade(reason: string): void {
    this.#shared = false;
    this.#log(
      `Change feed: shared log unreachable (${reason}); subscribers get this instance's changes`,
    );
    this.#broadcast({
      type: "reset",
      id: "L",
      reason: "Change feed degraded: shared log unreachable",
    });
  }

  #recover(): void {
    this.#shared = true;
    this.#log("Change feed: shared log reachable again");
    // Changes made while it was down may be missing from the log.
    this.#cursor = null;
    this.#broadcast({ type: "reset", id: "0-0", reason: "Change feed reconnected" });
  }

  /** Whether `item` is a shared-log change the subscriber already had (replayed). */
  #seen(subscriber: Subscriber, item: FeedItem): boolean {
    return item.type === "change" && subscriber.floor !== null && STREAM_ID.test(item.id) &&
      !newer(item.id, subscriber.floor);
  }

  #broadcast(item: FeedItem): void {
    for (const subscriber of this.#subscribers) {
      if (subscriber.replaying) {
        subscriber.replaying.push(item);
        continue;
      }
      if (this.#seen(subscriber, item)) continue;
      subscriber.queue.offer(item, this.#queueSize, () => ({
        type: "reset",
        id: item.id,
        reason: "Subscriber fell behind",
      }));
    }
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** `true` when stream id `a` comes after `b` (`<ms>-<seq>`). */
function newer(a: string, b: string): boolean {
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am > bm || (am === bm && as > bs);
}

function parseChange(data: string): Change | null {
  try {
    const change = JSON.parse(data) as Change;
    return typeof change?.path === "string" && typeof change.type === "string" ? change : null;
  } catch {
    return null;
  }
}
