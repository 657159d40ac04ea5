import { ChangeFeed, type ChangeFeedOptions, type FeedItem } from "../src/fs/change_feed.ts";
import { assertEquals, assertOk } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { startTestServer, tempDir, type TestServer } from "./helpers/server.ts";
import { type SseEvent, sseEvents } from "./helpers/sse_parser.ts";

/** A watcher the test drives by hand. */
class FakeWatcher implements AsyncIterable<Deno.FsEvent> {
  readonly #events: Deno.FsEvent[] = [];
  #wake: (() => void) | null = null;
  closed = false;

  emit(kind: Deno.FsEvent["kind"], ...paths: string[]): void {
    this.emitEvent({ kind, paths });
  }

  emitEvent(event: Deno.FsEvent): void {
    this.#events.push(event);
    this.#wake?.();
  }

  close(): void {
    this.closed = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Deno.FsEvent> {
    while (!this.closed) {
      const event = this.#events.shift();
      if (event) yield event;
      else await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }
}

/** A feed over a temp dir with a fake watcher; `await using` closes both. */
async function fakeFeed(files: Record<string, string>, options: ChangeFeedOptions = {}) {
  const dir = await tempDir(files);
  const watchers: FakeWatcher[] = [];
  const feed = new ChangeFeed(dir.path, {
    debounceMs: 5,
    ...options,
    watch: () => {
      const watcher = new FakeWatcher();
      watchers.push(watcher);
      return watcher;
    },
  });
  return {
    feed,
    watchers,
    at: (name: string) => `${dir.path}/${name}`,
    async [Symbol.asyncDispose]() {
      await feed.close();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** Reads `n` items (guarded against hangs). */
async function take(reader: ReadableStreamDefaultReader<FeedItem>, n: number) {
  const items: FeedItem[] = [];
  for (let i = 0; i < n; i++) {
    const { value, done } = await deadline(reader.read(), `feed item ${i + 1}`);
    if (done) break;
    items.push(value);
  }
  return items;
}

/** The id just before `id` (`epoch.n` → `epoch.n-1`). */
function seqBefore(id: string): string {
  const [epoch, n] = id.split(".");
  return `${epoch}.${Number(n) - 1}`;
}

function changes(items: FeedItem[]) {
  return items.map((i) => i.type === "change" ? i.change : { type: i.type });
}

Deno.test("ChangeFeed coalesces raw events per path into one change each", async () => {
  await using t = await fakeFeed({ "new.txt": "x", "big.bin": "x", "sub/b.txt": "x" });
  const reader = t.feed.subscribe(null).getReader();
  assertEquals((await take(reader, 1))[0].type, "ready");
  const [watcher] = t.watchers;
  watcher.emit("create", t.at("new.txt"));
  watcher.emit("modify", t.at("new.txt"));
  watcher.emit("access", t.at("new.txt"));
  for (let i = 0; i < 100; i++) watcher.emit("modify", t.at("big.bin"));
  watcher.emit("modify", t.at("sub/b.txt"));
  watcher.emit("remove", t.at("gone.txt"));
  assertEquals(changes(await take(reader, 4)), [
    { type: "created", path: "new.txt", isDirectory: false },
    { type: "modified", path: "big.bin", isDirectory: false },
    { type: "modified", path: "sub/b.txt", isDirectory: false },
    { type: "removed", path: "gone.txt", isDirectory: false },
  ]);
  await reader.cancel();
});

Deno.test("ChangeFeed reports renames, and nothing for a file created and deleted at once", async () => {
  await using t = await fakeFeed({ "c.txt": "x", "marker": "x" });
  const reader = t.feed.subscribe(null).getReader();
  await take(reader, 1);
  const [watcher] = t.watchers;
  // What Linux reports for `mv a.txt c.txt`.
  watcher.emit("remove", t.at("a.txt"));
  watcher.emit("rename", t.at("c.txt"));
  watcher.emit("rename", t.at("a.txt"), t.at("c.txt"));
  watcher.emit("create", t.at("tmp.txt"));
  watcher.emit("remove", t.at("tmp.txt"));
  watcher.emit("modify", t.at("marker"));
  assertEquals(changes(await take(reader, 2)), [
    { type: "renamed", path: "c.txt", isDirectory: false, from: "a.txt" },
    { type: "modified", path: "marker", isDirectory: false },
  ]);
  await reader.cancel();
});

Deno.test("ChangeFeed reports a file replaced by a hidden temp file and then removed", async () => {
  await using t = await fakeFeed({ "marker": "x" });
  const reader = t.feed.subscribe(null).getReader();
  await take(reader, 1);
  const [watcher] = t.watchers;
  // An upload renames its hidden temp file over a.txt, then a.txt is deleted,
  // all within one window: a.txt existed before, so clients must drop it.
  watcher.emit("rename", t.at(".sluice-upload-1"), t.at("a.txt"));
  watcher.emit("remove", t.at("a.txt"));
  watcher.emit("modify", t.at("marker"));
  assertEquals(changes(await take(reader, 2)), [
    { type: "removed", path: "a.txt", isDirectory: false },
    { type: "modified", path: "marker", isDirectory: false },
  ]);
  await reader.cancel();
});

Deno.test("ChangeFeed drops dot-entries and paths outside ROOT unless --dotfiles", async (t) => {
  for (const dotfiles of [false, true]) {
    await t.step(`dotfiles ${dotfiles}`, async () => {
      await using f = await fakeFeed({ ".env": "x", ".git/HEAD": "x", "a": "x" }, { dotfiles });
      const reader = f.feed.subscribe(null).getReader();
      await take(reader, 1);
      const [watcher] = f.watchers;
      watcher.emit("modify", f.at(".env"));
      watcher.emit("modify", f.at(".git/HEAD"));
      watcher.emit("modify", f.at("../outside.txt"));
      watcher.emit("modify", f.at(""));
      watcher.emit("modify", f.at("a"));
      const expected = dotfiles ? [".env", ".git/HEAD", "a"] : ["a"];
      const items = await take(reader, expected.length);
      assertEquals(items.map((i) => i.type === "change" && i.change.path), expected);
      await reader.cancel();
    });
  }
});

Deno.test("ChangeFeed replays missed changes after Last-Event-ID, or resets", async () => {
  await using t = await fakeFeed({ "1": "", "2": "", "3": "", "4": "" }, { historySize: 2 });
  const observer = t.feed.subscribe(null).getReader();
  const [ready] = await take(observer, 1);
  const [watcher] = t.watchers;
  const seen: FeedItem[] = [];
  for (const name of ["1", "2", "3", "4"]) {
    watcher.emit("modify", t.at(name));
    seen.push(...await take(observer, 1));
  }
  const resume = async (id: string | null) => {
    const reader = t.feed.subscribe(id).getReader();
    const items: FeedItem[] = [];
    while (items.at(-1)?.type !== "ready") items.push(...await take(reader, 1));
    await reader.cancel();
    return items;
  };
  // History holds 3 and 4: resuming after 2 replays both.
  assertEquals(await resume(seen[1].id), [...seen.slice(2), { type: "ready", id: seen[3].id }]);
  assertEquals(await resume(seen[3].id), [{ type: "ready", id: seen[3].id }]);
  const tooOld = await resume(ready.id);
  assertEquals(tooOld[0], { type: "reset", id: seen[3].id, reason: "Last-Event-ID is too old" });
  const foreign = await resume("other.1");
  assertEquals(foreign[0].type === "reset" && foreign[0].reason, "Unknown Last-Event-ID");
  assertEquals((await resume(null)).length, 1);
  await observer.cancel();
});

Deno.test("ChangeFeed resets a subscriber that stops reading instead of buffering", async () => {
  const names = Array.from({ length: 10 }, (_, i) => `f${i}`);
  await using t = await fakeFeed(Object.fromEntries(names.map((n) => [n, ""])), { queueSize: 3 });
  const slow = t.feed.subscribe(null).getReader();
  const fast = t.feed.subscribe(null).getReader();
  await take(fast, 1);
  const [watcher] = t.watchers;
  for (const name of names) {
    watcher.emit("modify", t.at(name));
    await take(fast, 1); // one flush per name
  }
  // Each overflow replaced the waiting items with one reset: 10 changes left
  // a reset (for the ninth) and the tenth, not 11 items.
  const [reset, tenth] = await take(slow, 2);
  assertEquals(reset.type === "reset" && reset.reason, "Subscriber fell behind");
  assertEquals(tenth.type === "change" && tenth.change.path, "f9");
  assertEquals(reset.id, seqBefore(tenth.id));
  // The subscriber stays: later changes reach it again.
  watcher.emit("modify", t.at("f0"));
  const [change] = await take(slow, 1);
  assertEquals(change.type === "change" && change.change.path, "f0");
  await slow.cancel();
  await fast.cancel();
});

Deno.test("ChangeFeed resets everyone and starts a new epoch when the kernel drops events", async () => {
  await using t = await fakeFeed({ "a": "" });
  const reader = t.feed.subscribe(null).getReader();
  await take(reader, 1);
  const [watcher] = t.watchers;
  watcher.emit("modify", t.at("a"));
  const [before] = await take(reader, 1);
  watcher.emitEvent({ kind: "other", paths: [], flag: "rescan" });
  const [reset] = await take(reader, 1);
  assertEquals(reset.type === "reset" && reset.reason, "Too many changes to report");
  // Ids from before the gap can no longer be trusted for replay.
  const again = t.feed.subscribe(before.id).getReader();
  const [first] = await take(again, 1);
  assertEquals(first.type === "reset" && first.reason, "Unknown Last-Event-ID");
  await again.cancel();
  await reader.cancel();
});

Deno.test("ChangeFeed shares one watcher, starts it lazily and stops it after the last subscriber", async () => {
  await using t = await fakeFeed({}, { lingerMs: 0 });
  assertEquals(t.watchers.length, 0);
  const a = t.feed.subscribe(null);
  const b = t.feed.subscribe(null);
  assertEquals(t.watchers.length, 1);
  assertEquals(t.feed.subscribers, 2);
  await a.cancel();
  assertOk(t.feed.watching);
  await b.cancel();
  assertOk(t.watchers[0].closed);
  assertOk(!t.feed.watching);
  // A new subscriber starts a new epoch: ids of the old one are unknown.
  const c = t.feed.subscribe(null).getReader();
  assertEquals(t.watchers.length, 2);
  await c.cancel();
});

Deno.test("ChangeFeed.hold() keeps the watcher running without subscribers", async () => {
  await using t = await fakeFeed({}, { lingerMs: 0 });
  t.feed.hold();
  assertOk(t.feed.watching);
  const a = t.feed.subscribe(null);
  assertEquals(t.watchers.length, 1, "subscribers share the held watcher");
  await a.cancel();
  assertOk(t.feed.watching && !t.watchers[0].closed, "still watching after the last subscriber");
  await t.feed.close();
  assertOk(t.watchers[0].closed);
});

Deno.test("ChangeFeed.close() ends every subscription", async () => {
  await using t = await fakeFeed({});
  const reader = t.feed.subscribe(null).getReader();
  await take(reader, 1);
  const next = reader.read();
  await t.feed.close();
  assertEquals((await next).done, true);
});

/** Reads SSE events until `predicate` matches one; returns all read. */
async function until(events: AsyncGenerator<SseEvent>, predicate: (e: SseEvent) => boolean) {
  const seen: SseEvent[] = [];
  while (true) {
    const { value, done } = await deadline(events.next(), "a change event");
    if (done) throw new Error(`Stream ended; saw ${JSON.stringify(seen)}`);
    seen.push(value);
    if (predicate(value)) return seen;
  }
}

const isChange = (type: string, path: string) => (e: SseEvent) =>
  e.type === type && JSON.parse(e.data).path === path;

Deno.test("events() reports files created, modified and removed under ROOT", async () => {
  await using dir = await tempDir({ "sub/keep.txt": "x" });
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/events"));
  const events = sseEvents(res.body!);
  await until(events, (e) => e.type === "ready");
  await Deno.writeTextFile(`${dir.path}/sub/a.txt`, "hello");
  const created = (await until(events, isChange("created", "sub/a.txt"))).at(-1)!;
  assertEquals(JSON.parse(created.data), {
    type: "created",
    path: "sub/a.txt",
    isDirectory: false,
  });
  assertOk(created.lastEventId !== "");
  await Deno.writeTextFile(`${dir.path}/sub/a.txt`, "hello again", { append: true });
  await until(events, isChange("modified", "sub/a.txt"));
  await Deno.remove(`${dir.path}/sub/a.txt`);
  await until(events, isChange("removed", "sub/a.txt"));
  await Deno.mkdir(`${dir.path}/newdir`);
  const dirEvent = (await until(events, isChange("created", "newdir"))).at(-1)!;
  assertEquals(JSON.parse(dirEvent.data).isDirectory, true);
  await events.return(undefined);
});

Deno.test("events() coalesces a file written in 100 chunks into a few modified events", async () => {
  await using dir = await tempDir({ "big.bin": "" });
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/events"));
  const events = sseEvents(res.body!);
  await until(events, (e) => e.type === "ready");
  using file = await Deno.open(`${dir.path}/big.bin`, { write: true });
  for (let i = 0; i < 100; i++) await file.write(new Uint8Array(1024));
  // A marker written afterwards: once it is reported, the burst has been too.
  await Deno.writeTextFile(`${dir.path}/marker`, "");
  const seen = await until(events, isChange("created", "marker"));
  const modified = seen.filter(isChange("modified", "big.bin")).length;
  // Usually 1; a loaded machine may spread the writes over a few 100 ms windows.
  assertOk(modified >= 1 && modified <= 10, `${modified} modified events for 100 writes`);
  await events.return(undefined);
});

Deno.test("events() replays missed changes to a client that reconnects with Last-Event-ID", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const observer = sseEvents((await fetch(server.href("/_/events"))).body!);
  await until(observer, (e) => e.type === "ready");
  const client = sseEvents((await fetch(server.href("/_/events"))).body!);
  await until(client, (e) => e.type === "ready");
  await Deno.writeTextFile(`${dir.path}/a.txt`, "a");
  const lastSeen = (await until(client, isChange("created", "a.txt"))).at(-1)!.lastEventId;
  await client.return(undefined); // the client goes away...
  await Deno.writeTextFile(`${dir.path}/b.txt`, "b");
  await Deno.writeTextFile(`${dir.path}/c.txt`, "c");
  await until(observer, isChange("created", "c.txt")); // ...and misses these
  const back = await fetch(server.href("/_/events"), { headers: { "last-event-id": lastSeen } });
  const replay = await until(sseEvents(back.body!), (e) => e.type === "ready");
  assertEquals(replay.map((e) => [e.type, JSON.parse(e.data).path ?? null]), [
    ["created", "b.txt"],
    ["created", "c.txt"],
    ["ready", null],
  ]);
  await back.body!.cancel().catch(() => {});
  await observer.return(undefined);
});

Deno.test("events() sends reset for an unknown Last-Event-ID", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/_/events"), { headers: { "last-event-id": "old.42" } });
  const events = sseEvents(res.body!);
  const first = (await deadline(events.next(), "the reset")).value!;
  assertEquals(first.type, "reset");
  assertEquals(JSON.parse(first.data), { reason: "Unknown Last-Event-ID" });
  await events.return(undefined);
});

Deno.test("events() drops cached file bytes when the file changes", async () => {
  await using dir = await tempDir({ "a.txt": "aaaa" });
  await using server = startTestServer(dir.path);
  const path = `${dir.path}/a.txt`;
  const { mtime } = await Deno.stat(path);
  assertEquals(await (await fetch(server.href("/a.txt"))).text(), "aaaa"); // now cached
  const events = sseEvents((await fetch(server.href("/_/events"))).body!);
  await until(events, (e) => e.type === "ready");
  // Same size, same inode, same mtime: only the watcher can tell the cache.
  using file = await Deno.open(path, { write: true });
  await file.write(new TextEncoder().encode("bbbb"));
  await Deno.utime(path, mtime!, mtime!);
  await until(events, isChange("modified", "a.txt"));
  assertEquals(await (await fetch(server.href("/a.txt"))).text(), "bbbb");
  await events.return(undefined);
});

/** Counts the cache's re-checks (`FileStore.restat` calls) of a test server. */
function countRestats(server: TestServer): { count: number } {
  const counter = { count: 0 };
  const restat = server.store.restat.bind(server.store);
  server.store.restat = (path) => {
    counter.count++;
    return restat(path);
  };
  return counter;
}

Deno.test("--watch: cache hits need no stat from the start, and changes are still seen", async () => {
  await using dir = await tempDir({ "a.txt": "aaaa" });
  await using server = startTestServer(dir.path, { watch: true });
  const restats = countRestats(server);
  const read = async () => await (await fetch(server.href("/a.txt"))).text();
  assertEquals([await read(), await read(), await read()], ["aaaa", "aaaa", "aaaa"]);
  assertEquals(restats.count, 0, "the watcher covers the cache");

  await Deno.writeTextFile(`${dir.path}/a.txt`, "bbbbbb");
  // The watcher's event arrives asynchronously; until then the old bytes are fine.
  let text = await read();
  for (let i = 0; i < 100 && text !== "bbbbbb"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    text = await read();
  }
  assertEquals(text, "bbbbbb");
  assertEquals(restats.count, 0);
});

Deno.test("serveFiles() re-checks every cache hit without --watch, even while /_/events runs", async () => {
  await using dir = await tempDir({ "a.txt": "aaaa" });
  await using server = startTestServer(dir.path);
  const restats = countRestats(server);
  const read = async () => await (await fetch(server.href("/a.txt"))).text();
  await read();
  await read();
  assertEquals(restats.count, 1, "every cache hit is re-checked");

  // A watcher may miss changes (network filesystems): only --watch trusts it.
  const events = sseEvents((await fetch(server.href("/_/events"))).body!);
  await until(events, (e) => e.type === "ready");
  await read();
  const before = restats.count;
  assertEquals([await read(), await read()], ["aaaa", "aaaa"]);
  assertEquals(restats.count, before + 2, "still re-checked while the watcher runs");
  await events.return(undefined);
});

Deno.test("events() reports ROOT's own paths when a symlink in ROOT leads to its parent", async () => {
  await using base = await tempDir({ "root/keep.txt": "x" });
  const root = `${base.path}/root`;
  // The recursive watcher follows the link and sees ROOT again through it.
  await Deno.symlink(base.path, `${root}/up`);
  await using server = startTestServer(root);
  const res = await fetch(server.href("/_/events"));
  const events = sseEvents(res.body!);
  await until(events, (e) => e.type === "ready");
  await Deno.writeTextFile(`${base.path}/outside.txt`, "not under ROOT");
  await Deno.writeTextFile(`${root}/inside.txt`, "under ROOT");
  const seen = await until(events, (e) => e.type === "created" || e.type === "modified");
  const paths = seen.filter((e) => e.data.startsWith("{")).map((e) => JSON.parse(e.data).path);
  assertEquals(paths.filter((p) => p !== undefined), ["inside.txt"]);
  await events.return(undefined);
});
