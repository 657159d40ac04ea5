import type { FeedItem } from "./change_feed.ts";

/**
 * One subscriber's bounded queue of change-feed items, read as a stream
 * that waits for the next item (pull-based: nothing is taken before the
 * consumer asks). A consumer that stops reading gets its queue replaced by
 * one `reset` once `limit` items wait, so memory stays bounded.
 *
 * @example
 * ```ts
 * const queue = new FeedQueue([{ type: "ready", id: "1" }]);
 * const stream = queue.readable(() => subscribers.delete(queue));
 * queue.offer(item, 256, () => ({ type: "reset", id: item.id, reason: "Subscriber fell behind" }));
 * ```
 */
export class FeedQueue {
  #items: FeedItem[];
  #wake: (() => void) | null = null;
  #closed = false;

  constructor(items: FeedItem[] = []) {
    this.#items = items;
  }

  /** Adds a live item, or replaces the queue by `reset()` when `limit` items already wait. */
  offer(item: FeedItem, limit: number, reset: () => FeedItem): void {
    if (this.#items.length >= limit) this.#items = [reset()];
    else this.#items.push(item);
    this.#notify();
  }

  /** Replaces whatever waits by `items` (e.g. one `reset`). */
  replace(items: FeedItem[]): void {
    this.#items = items;
    this.#notify();
  }

  /** Puts `items` before whatever waits (e.g. a replay read after live items came in). */
  prepend(items: FeedItem[]): void {
    this.#items.unshift(...items);
    this.#notify();
  }

  /** Ends the stream: waiting items are dropped and the reader sees the end. */
  end(): void {
    this.#closed = true;
    this.#items.length = 0;
    this.#notify();
  }

  /**
   * The queue as a stream. `start` runs first (the stream waits for it);
   * `cancel` runs once when the consumer cancels, after the queue ended.
   */
  readable(cancel: () => void, start?: () => Promise<void>): ReadableStream<FeedItem> {
    let cancelled = false;
    return new ReadableStream<FeedItem>({
      start,
      pull: async (controller) => {
        while (this.#items.length === 0 && !this.#closed) {
          await new Promise<void>((resolve) => this.#wake = resolve);
        }
        if (cancelled) return;
        const item = this.#items.shift();
        if (item) controller.enqueue(item);
        else controller.close();
      },
      cancel: () => {
        cancelled = true;
        this.end();
        cancel();
      },
    }, { highWaterMark: 0 });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
