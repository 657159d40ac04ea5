import { basename, dirname, isAbsolute, join, relative, sep as SEPARATOR } from "node:path";
import { isHidden } from "../path/decode_path.ts";
import { FeedQueue } from "./feed_queue.ts";

/** What happened to a path. */
export type ChangeType = "created" | "modified" | "removed" | "renamed";

/** One coalesced change under ROOT. */
export interface Change {
  type: ChangeType;
  /** Path relative to ROOT with `/` separators, e.g. `sub/a.txt`. */
  path: string;
  /** `false` for removed entries (their kind is no longer known). */
  isDirectory: boolean;
  /** For `renamed`: the previous path relative to ROOT. */
  from?: string;
}

/** What a subscriber receives, in order. */
export type FeedItem =
  | { type: "change"; id: string; change: Change }
  /** The subscriber may have missed changes and should reload its view. */
  | { type: "reset"; id: string; reason: string }
  /** Replay (if any) is done; live changes follow. */
  | { type: "ready"; id: string };

/** Where `/_/events` subscribers get their items: a `ChangeFeed`, or a cluster's shared feed. */
export interface ChangeSource {
  /**
   * Subscribes: with the id of an earlier item, replays what was missed
   * (or sends `reset`), then `ready`, then live items. Cancelling the
   * stream unsubscribes.
   */
  subscribe(lastEventId: string | null): ReadableStream<FeedItem>;
}

/** The part of `Deno.FsWatcher` the feed uses. */
export type Watcher = AsyncIterable<Deno.FsEvent> & { close(): void };

/** Tuning and collaborators of a `ChangeFeed`. */
export interface ChangeFeedOptions {
  /** Report dot-entries too (`--dotfiles`). */
  dotfiles?: boolean;
  /** Raw events within this window are coalesced into one batch. */
  debounceMs?: number;
  /** Changes kept for `Last-Event-ID` replay. */
  historySize?: number;
  /** Items queued for a subscriber that is not reading, before it is reset. */
  queueSize?: number;
  /** How long the watcher keeps running after the last subscriber left. */
  lingerMs?: number;
  /** Called on every raw filesystem event (e.g. to drop cached file bytes). */
  onChange?: () => void;
  /**
   * Called with `true` once the watcher runs (from then on every change
   * reaches `onChange`) and with `false` when it stops or fails.
   */
  onWatching?: (watching: boolean) => void;
  /** Starts a recursive watcher (tests inject a fake). */
  watch?: (root: string) => Watcher;
}

/**
 * `path` with its folder's symlinks resolved: a recursive watcher follows
 * symlinked folders and may report a change under ROOT through a link (a
 * link to ROOT's parent makes every path `link/root/...`). `null` when the
 * folder cannot be resolved for another reason than being gone (e.g. no
 * permission outside ROOT): such a path is not reported.
 */
function realFolder(path: string): string | null {
  try {
    return join(Deno.realPathSync(dirname(path)), basename(path));
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? path : null;
  }
}

/** Distinct paths one coalescing window may hold before the feed resets. */
const MAX_PENDING = 10_000;

interface PendingPath {
  /** The path did not exist before this window (created or moved in). */
  created: boolean;
  /**
   * Moved in from an unknown (or hidden) source, which may have replaced an
   * existing entry, e.g. an upload's temp file renamed over its target. If it
   * is gone by the end of the window it is reported as removed.
   */
  movedIn?: boolean;
  /** Set when the window saw a rename from this path. */
  from?: string;
}

/**
 * The live change feed of ROOT: ONE recursive filesystem watcher shared by
 * all subscribers, started by the first subscriber and stopped `lingerMs`
 * after the last one left (so a client that reconnects soon can replay
 * what it missed).
 *
 * Raw events are coalesced per path over `debounceMs` and checked against
 * the file system, so a file written in 100 chunks is one `modified`, a
 * file created and deleted within the window is nothing, and a rename is
 * one `renamed`. Dot-entries are dropped unless `dotfiles`; paths outside
 * ROOT never appear.
 *
 * Ids look like `<epoch>.<n>`; the epoch changes whenever the watcher
 * (re)starts, since changes may have been missed in between. A subscriber
 * resuming from an id of this epoch still in the bounded history gets the
 * missed changes replayed; any other id gets a `reset`. A subscriber that
 * stops reading is reset once `queueSize` items are waiting: its queue is
 * replaced by one `reset`, so memory stays bounded. When the kernel drops
 * events (a rescan) or one window touches more than 10 000 paths, every
 * subscriber gets a `reset` and a new epoch begins.
 *
 * @example
 * ```ts
 * const feed = new ChangeFeed(root, { onChange: () => store.cache.clear() });
 * for await (const item of feed.subscribe(null)) console.log(item);
 * ```
 */
export class ChangeFeed implements ChangeSource {
  readonly root: string;
  readonly #dotfiles: boolean;
  readonly #debounceMs: number;
  readonly #historySize: number;
  readonly #queueSize: number;
  readonly #lingerMs: number;
  readonly #onChange: () => void;
  readonly #onWatching: (watching: boolean) => void;
  readonly #watch: (root: string) => Watcher;

  readonly #subscribers = new Set<FeedQueue>();
  #watcher: Watcher | null = null;
  #loop: Promise<void> = Promise.resolve();
  #epoch = "";
  #seq = 0;
  #history: { seq: number; change: Change }[] = [];
  #pending = new Map<string, PendingPath>();
  #debounce: ReturnType<typeof setTimeout> | undefined;
  #linger: ReturnType<typeof setTimeout> | undefined;
  #publishing: Promise<void> = Promise.resolve();
  #closed = false;
  #held = false;

  constructor(root: string, options: ChangeFeedOptions = {}) {
    this.root = root;
    this.#dotfiles = options.dotfiles ?? false;
    this.#debounceMs = options.debounceMs ?? 100;
    this.#historySize = options.historySize ?? 1000;
    this.#queueSize = options.queueSize ?? 256;
    this.#lingerMs = options.lingerMs ?? 60_000;
    this.#onChange = options.onChange ?? (() => {});
    this.#onWatching = options.onWatching ?? (() => {});
    this.#watch = options.watch ?? ((path) => Deno.watchFs(path, { recursive: true }));
  }

  /** Number of current subscribers. */
  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Whether the filesystem watcher is running. */
  get watching(): boolean {
    return this.#watcher !== null;
  }

  /**
   * Subscribes to changes. With the id of an earlier item (`Last-Event-ID`)
   * the missed changes are replayed first, or a `reset` is sent when they
   * cannot be; then `ready`, then live changes. Cancelling the stream
   * unsubscribes.
   *
   * @throws {Error} from `Deno.watchFs` when the watcher cannot start
   * (e.g. the inotify limit is reached).
   */
  subscribe(lastEventId: string | null): ReadableStream<FeedItem> {
    if (this.#closed) throw new Error("Change feed is closed");
    this.#startWatching();
    const subscriber = new FeedQueue([
      ...this.#catchUp(lastEventId),
      { type: "ready", id: this.#id(this.#seq) },
    ]);
    this.#subscribers.add(subscriber);
    return subscriber.readable(() => this.#unsubscribe(subscriber));
  }

  /**
   * Keeps the watcher running from now on, with or without subscribers
   * (`--watch`: the file cache then needs no stat per hit).
   *
   * @throws {Error} from `Deno.watchFs` when the watcher cannot start.
   */
  hold(): void {
    if (this.#closed) throw new Error("Change feed is closed");
    this.#held = true;
    this.#startWatching();
  }

  /** Stops the watcher and timers and ends every subscription. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const subscriber of this.#subscribers) subscriber.end();
    this.#subscribers.clear();
    this.#stopWatching();
    await this.#loop;
    await this.#publishing;
  }

  #id(seq: number): string {
    return `${this.#epoch}.${seq}`;
  }

  #catchUp(lastEventId: string | null): FeedItem[] {
    if (lastEventId === null) return [];
    const match = /^([0-9a-z]+)\.(\d{1,15})$/.exec(lastEventId);
    const seq = match ? Number(match[2]) : NaN;
    if (!match || match[1] !== this.#epoch || seq > this.#seq) {
      return [this.#reset("Unknown Last-Event-ID")];
    }
    const oldest = this.#history[0]?.seq ?? this.#seq + 1;
    if (seq < oldest - 1) return [this.#reset("Last-Event-ID is too old")];
    return this.#history.filter((h) => h.seq > seq).map((h) => this.#item(h.seq, h.change));
  }

  #reset(reason: string): FeedItem {
    return { type: "reset", id: this.#id(this.#seq), reason };
  }

  #item(seq: number, change: Change): FeedItem {
    return { type: "change", id: this.#id(seq), change };
  }

  #startWatching(): void {
    clearTimeout(this.#linger);
    this.#linger = undefined;
    if (this.#watcher) return;
    const watcher = this.#watch(this.root);
    this.#watcher = watcher;
    this.#newEpoch();
    this.#onWatching(true);
    this.#loop = (async () => {
      try {
        for await (const event of watcher) this.#onRaw(event);
      } catch (error) {
        if (!(error instanceof Deno.errors.BadResource)) {
          console.error("Change feed watcher failed:", error);
        }
      }
      // Ended, on purpose or not: changes are no longer seen.
      if (this.#watcher === watcher) this.#onWatching(false);
    })();
  }

  #newEpoch(): void {
    this.#epoch = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
    this.#seq = 0;
    this.#history = [];
  }

  /**
   * Forgets pending changes, history and ids (a new epoch) and gives every
   * subscriber one `reset` instead of what it was waiting for.
   */
  #restartEpoch(reason: string): void {
    clearTimeout(this.#debounce);
    this.#debounce = undefined;
    this.#pending.clear();
    this.#newEpoch();
    for (const subscriber of this.#subscribers) subscriber.replace([this.#reset(reason)]);
  }

  #stopWatching(): void {
    clearTimeout(this.#linger);
    clearTimeout(this.#debounce);
    this.#linger = undefined;
    this.#debounce = undefined;
    this.#pending.clear();
    if (this.#watcher) this.#onWatching(false);
    this.#watcher?.close();
    this.#watcher = null;
  }

  #unsubscribe(subscriber: FeedQueue): void {
    if (!this.#subscribers.delete(subscriber) || this.#subscribers.size > 0 || this.#held) return;
    if (this.#lingerMs === 0) this.#stopWatching();
    else this.#linger = setTimeout(() => this.#stopWatching(), this.#lingerMs);
  }

  /** The path relative to ROOT, or `null` when it must not be reported. */
  #relative(path: string): string | null {
    const real = realFolder(path);
    if (real === null) return null;
    const rel = relative(this.root, real);
    if (rel === "" || rel === ".." || rel.startsWith(".." + SEPARATOR) || isAbsolute(rel)) {
      return null;
    }
    const segments = rel.split(SEPARATOR);
    if (isHidden(segments, this.#dotfiles)) return null;
    return segments.join("/");
  }

  #touch(path: string): PendingPath {
    let entry = this.#pending.get(path);
    if (!entry) {
      entry = { created: false };
      this.#pending.set(path, entry);
    }
    return entry;
  }

  #movedIn(path: string): void {
    const entry = this.#touch(path);
    entry.created = true;
    entry.movedIn = true;
  }

  #onRaw(event: Deno.FsEvent): void {
    this.#onChange();
    if (event.flag === "rescan" || this.#pending.size >= MAX_PENDING) {
      // The kernel dropped events, or a burst is too large to coalesce.
      this.#restartEpoch("Too many changes to report");
      return;
    }
    const paths = event.paths.map((p) => this.#relative(p));
    switch (event.kind) {
      case "create":
        if (paths[0]) this.#touch(paths[0]).created = true;
        break;
      case "modify":
      case "remove":
        if (paths[0]) this.#touch(paths[0]);
        break;
      case "rename": {
        const [first, second] = paths;
        if (event.paths.length < 2) {
          // The destination of a rename whose source is unknown: moved in.
          if (first) this.#movedIn(first);
        } else if (second && first) {
          const source = this.#pending.get(first);
          this.#pending.delete(first);
          const target = this.#touch(second);
          target.created = source?.created ?? false;
          target.from = source?.created ? undefined : first;
        } else if (second) {
          this.#movedIn(second);
        } else if (first) {
          this.#touch(first);
        }
        break;
      }
      default:
        // access, other, any: no content change to report.
        return;
    }
    if (this.#pending.size > 0 && this.#debounce === undefined) {
      this.#debounce = setTimeout(() => this.#flush(), this.#debounceMs);
    }
  }

  #flush(): void {
    this.#debounce = undefined;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#publishing = this.#publishing.then(() => this.#publish(batch));
  }

  async #publish(batch: Map<string, PendingPath>): Promise<void> {
    for (const [path, entry] of batch) {
      let info: Deno.FileInfo | null = null;
      try {
        info = await Deno.stat(join(this.root, ...path.split("/")));
      } catch {
        // Gone (or unreadable): reported as removed below.
      }
      if (this.#watcher === null) return;
      let change: Change | null;
      if (info) {
        const type = entry.from ? "renamed" : entry.created ? "created" : "modified";
        change = { type, path, isDirectory: info.isDirectory };
        if (entry.from) change.from = entry.from;
      } else if (entry.from) {
        change = { type: "removed", path: entry.from, isDirectory: false };
      } else {
        const transient = entry.created && !entry.movedIn;
        change = transient ? null : { type: "removed", path, isDirectory: false };
      }
      if (change) this.#emit(change);
    }
  }

  #emit(change: Change): void {
    const seq = ++this.#seq;
    this.#history.push({ seq, change });
    if (this.#history.length > this.#historySize) this.#history.shift();
    const item = this.#item(seq, change);
    const reset = () => this.#reset("Subscriber fell behind");
    for (const subscriber of this.#subscribers) subscriber.offer(item, this.#queueSize, reset);
  }
}
