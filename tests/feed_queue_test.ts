import type { FeedItem } from "../src/fs/change_feed.ts";
import { FeedQueue } from "../src/fs/feed_queue.ts";
import { assertEquals } from "./helpers/assert.ts";

const change = (id: string): FeedItem => ({
  type: "change",
  id,
  change: { type: "created", path: `${id}.txt`, isDirectory: false },
});
const reset = (id: string): FeedItem => ({ type: "reset", id, reason: "Subscriber fell behind" });

Deno.test("FeedQueue delivers items in order and waits for the next one", async () => {
  const queue = new FeedQueue([{ type: "ready", id: "0" }]);
  const reader = queue.readable(() => {}).getReader();
  assertEquals((await reader.read()).value, { type: "ready", id: "0" });
  const next = reader.read();
  queue.offer(change("1"), 10, () => reset("1"));
  assertEquals((await next).value, change("1"));
  await reader.cancel();
});

Deno.test("FeedQueue replaces a full queue by one reset", async () => {
  const queue = new FeedQueue();
  for (let i = 1; i <= 3; i++) queue.offer(change(String(i)), 3, () => reset(String(i)));
  queue.offer(change("4"), 3, () => reset("4"));
  const reader = queue.readable(() => {}).getReader();
  assertEquals((await reader.read()).value, reset("4"));
  queue.offer(change("5"), 3, () => reset("5"));
  assertEquals((await reader.read()).value, change("5"));
  await reader.cancel();
});

Deno.test("FeedQueue prepend() puts a replay before live items; replace() drops them", async () => {
  const queue = new FeedQueue();
  queue.offer(change("3"), 10, () => reset("3"));
  queue.prepend([change("1"), change("2")]);
  const reader = queue.readable(() => {}).getReader();
  for (const id of ["1", "2", "3"]) assertEquals((await reader.read()).value, change(id));
  queue.offer(change("4"), 10, () => reset("4"));
  queue.replace([reset("9")]);
  assertEquals((await reader.read()).value, reset("9"));
  await reader.cancel();
});

Deno.test("FeedQueue end() closes the stream; cancel() ends it and calls back once", async () => {
  const ended = new FeedQueue([change("1")]);
  const items = await Array.fromAsync(
    ended.readable(() => {}).pipeThrough(
      new TransformStream<FeedItem, FeedItem>({
        transform(item, controller) {
          controller.enqueue(item);
          ended.end();
        },
      }),
    ),
  );
  assertEquals(items, [change("1")]);

  let cancels = 0;
  const queue = new FeedQueue();
  const reader = queue.readable(() => cancels++).getReader();
  const pending = reader.read();
  await reader.cancel();
  assertEquals((await pending).done, true);
  assertEquals(cancels, 1);
});

Deno.test("FeedQueue runs start before the first item is read", async () => {
  const queue = new FeedQueue();
  const reader = queue.readable(() => {}, async () => {
    await Promise.resolve();
    queue.prepend([change("replayed")]);
  }).getReader();
  assertEquals((await reader.read()).value, change("replayed"));
  await reader.cancel();
});
