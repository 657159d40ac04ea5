/**
 * Cluster mode, process level: one throwaway redis-server and three Sluice
 * processes over one temp ROOT, started with `--redis`. Skipped, with the
 * reason, when Debian's redis-server is not installed.
 */
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { deadline } from "./helpers/deadline.ts";
import { hasNginx, startNginxProxy } from "./helpers/nginx_proxy.ts";
import { hasRedis, startRedis } from "./helpers/redis_server.ts";
import { tempDir } from "./helpers/server.ts";
import { denoRunArgs, type SluiceProcess, spawnSluice } from "./helpers/sluice_process.ts";
import { type SseEvent, SseParser } from "./helpers/sse_parser.ts";

const PERMISSIONS = ["--allow-read", "--allow-write", "--allow-net", "--allow-env"];

function startInstance(root: string, redis: string): Promise<SluiceProcess> {
  return spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(PERMISSIONS, [root, "--port", "0", "--upload", "--quiet", "--redis", redis]),
  });
}

/**
 * An `/_/events` subscriber that collects events and can wait for one.
 *
 * Disposing cancels the body rather than aborting the fetch: Deno holds a
 * fetch's own signal only weakly from the one passed in, so once the
 * `Response` is unreachable a GC cuts the link, the abort never reaches the
 * body, and the stream (and the dispose) would wait forever.
 */
class Subscriber implements AsyncDisposable {
  readonly events: SseEvent[] = [];
  readonly #waiters: (() => void)[] = [];
  #reader: ReadableStreamDefaultReader<string> | null = null;
  #done: Promise<void> = Promise.resolve();

  static async open(url: string, lastEventId?: string): Promise<Subscriber> {
    const subscriber = new Subscriber();
    const headers: Record<string, string> = lastEventId ? { "last-event-id": lastEventId } : {};
    const response = await fetch(url, { headers });
    assertEquals(response.status, 200, `GET ${url}: ${response.status}`);
    subscriber.#reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    subscriber.#done = subscriber.#read(subscriber.#reader);
    await subscriber.waitFor((e) => e.type === "ready", "ready");
    return subscriber;
  }

  async #read(reader: ReadableStreamDefaultReader<string>): Promise<void> {
    const parser = new SseParser();
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        this.events.push(...parser.feed(chunk.value));
        for (const wake of this.#waiters.splice(0)) wake();
      }
    } catch {
      // The connection failed; the events so far stay.
    }
  }

  async waitFor(match: (event: SseEvent) => boolean, what: string, ms = 5000): Promise<SseEvent> {
    const find = () => this.events.find(match);
    await deadline(
      (async () => {
        while (!find()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
      })(),
      what,
      ms,
    );
    return find()!;
  }

  changesFor(path: string): SseEvent[] {
    return this.events.filter((e) => e.type !== "ready" && e.data.includes(`"path":"${path}"`));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#reader?.cancel();
    await deadline(this.#done, "the event stream to end", 5000);
  }
}

const put = async (url: string, body: string) => {
  const response = await fetch(url, { method: "PUT", body });
  await response.body?.cancel();
  assertOk(response.status === 201 || response.status === 204, `PUT ${url}: ${response.status}`);
};

const text = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
};

/** Creates a tus upload (a feature that needs the shared store); returns the response. */
const createUpload = (sluice: SluiceProcess, name: string) =>
  fetch(sluice.href("/_/uploads/"), {
    method: "POST",
    headers: {
      "tus-resumable": "1.0.0",
      "upload-length": "2",
      "upload-metadata": `filename ${btoa(name)}`,
    },
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test({
  name: "cluster: three instances over one folder share changes, state and failure",
  ignore: !hasRedis(),
  async fn(t) {
    await using redis = await startRedis();
    await using dir = await tempDir({ "small.txt": "version one" });
    await using a = await startInstance(dir.path, redis.url);
    await using b = await startInstance(dir.path, redis.url);
    await using c = await startInstance(dir.path, redis.url);

    await t.step("an upload through A reaches subscribers on B and C once each", async () => {
      await using onB = await Subscriber.open(b.href("/_/events"));
      await using onC = await Subscriber.open(c.href("/_/events"));
      const started = performance.now();
      await put(a.href("/hello.txt"), "hi");
      const seen = (e: SseEvent) => e.data.includes('"path":"hello.txt"');
      await Promise.all([onB.waitFor(seen, "event on B"), onC.waitFor(seen, "event on C")]);
      const ms = performance.now() - started;
      console.log(`  upload → event on B and C: ${ms.toFixed(0)} ms`);
      assertOk(ms < 1000, `the event took ${ms.toFixed(0)} ms (goal: under 1 s)`);
      // Give duplicates (three watchers saw the same change) time to show up.
      await sleep(600);
      assertEquals(onB.changesFor("hello.txt").length, 1, "B sees it once");
      assertEquals(onC.changesFor("hello.txt").length, 1, "C sees it once");
      assertEquals(
        onB.changesFor("hello.txt")[0].lastEventId,
        onC.changesFor("hello.txt")[0].lastEventId,
      );
    });

    await t.step(
      "a client of B resumes on C with its Last-Event-ID and misses nothing",
      async () => {
        let lastId: string;
        {
          await using onB = await Subscriber.open(b.href("/_/events"));
          await put(a.href("/one.txt"), "1");
          lastId = (await onB.waitFor((e) =>
            e.data.includes('"one.txt"'), "one.txt on B")).lastEventId;
        }
        await put(a.href("/two.txt"), "2");
        await put(b.href("/three.txt"), "3");
        // Wait until both reached the shared log (seen by a live subscriber).
        {
          await using probe = await Subscriber.open(c.href("/_/events"), lastId);
          await probe.waitFor((e) => e.data.includes('"three.txt"'), "three.txt");
        }
        await using onC = await Subscriber.open(c.href("/_/events"), lastId);
        const ready = onC.events.findIndex((e) => e.type === "ready");
        const replayed = onC.events.slice(0, ready).map((e) => JSON.parse(e.data).path);
        assertEquals(replayed.filter((p: string) => p !== "one.txt"), ["two.txt", "three.txt"]);
        assertEquals(onC.events.some((e) => e.type === "reset"), false);
      },
    );

    await t.step({
      name: "behind nginx round robin (docs/scale.md config), uploads and events flow",
      ignore: !hasNginx(),
      async fn() {
        const port = (s: SluiceProcess) => Number(new URL(s.url).port);
        await using proxy = await startNginxProxy([a, b, c].map(port));
        await using viaProxy = await Subscriber.open(proxy.href("/_/events"));
        for (let i = 0; i < 3; i++) await put(proxy.href(`/lb-${i}.txt`), `lb ${i}`);
        for (let i = 0; i < 3; i++) {
          await viaProxy.waitFor((e) => e.data.includes(`"lb-${i}.txt"`), `lb-${i}.txt`);
          assertEquals((await text(proxy.href(`/lb-${i}.txt`))).body, `lb ${i}`);
        }
      },
    });

    await t.step("an id older than the log keeps gets a reset", async () => {
      await using onC = await Subscriber.open(c.href("/_/events"), "1-0");
      assertEquals(onC.events[0].type, "reset");
    });

    await t.step("a file replaced through A is never served stale by B", async () => {
      for (let i = 0; i < 5; i++) {
        assertEquals((await text(b.href("/small.txt"))).body.length > 0, true);
        const content = `version ${i} ${"x".repeat(i)}`;
        await put(a.href("/small.txt"), content);
        assertEquals((await text(b.href("/small.txt"))).body, content);
        assertEquals((await text(c.href("/small.txt"))).body, content);
      }
    });

    await t.step("kill -9 of one instance mid-download leaves the others serving", async () => {
      const big = new Uint8Array(32 * 1024 * 1024).fill(7);
      await Deno.writeFile(`${dir.path}/big.bin`, big);
      const response = await fetch(a.href("/big.bin"));
      const reader = response.body!.getReader();
      await reader.read();
      a.child.kill("SIGKILL");
      await a.child.status;
      await reader.read().then(() => reader.cancel()).catch(() => {});
      for (const other of [b, c]) {
        const got = await fetch(other.href("/big.bin"));
        assertEquals(got.status, 200);
        assertEquals((await got.arrayBuffer()).byteLength, big.length);
      }
    });

    await t.step("Redis down: files still served, health degraded, events local", async () => {
      await using onB = await Subscriber.open(b.href("/_/events"));
      await redis.stop();
      let health: Response | null = null;
      for (let i = 0; i < 100; i++) {
        health = await fetch(b.href("/_/health"));
        if (health.status === 503) break;
        await health.body?.cancel();
        await sleep(50);
      }
      assertEquals(health?.status, 503);
      const body = await health!.json();
      assertEquals(body.status, "degraded");
      assertEquals(body.store.backend, "redis");
      assertEquals(body.store.state, "degraded");
      assertEquals((await text(b.href("/small.txt"))).status, 200);
      const range = await fetch(c.href("/big.bin"), { headers: { range: "bytes=0-9" } });
      assertEquals(range.status, 206);
      await range.body?.cancel();
      const listing = await fetch(b.href("/"), { headers: { accept: "application/json" } });
      assertEquals(listing.status, 200);
      await listing.body?.cancel();
      const upload = await createUpload(b, "during-outage.txt");
      assertEquals(upload.status, 503, "a feature that needs the shared store");
      assertOk(upload.headers.get("retry-after"));
      assertMatch(await upload.text(), /State store unavailable/);
      const temps = [...Deno.readDirSync(dir.path)].filter((e) => e.name.startsWith(".sluice-"));
      assertEquals(temps, [], "no temp file without a session");
      // Events fall back to this instance's changes, after one reset: for
      // onB, subscribed before the outage, and for onC, subscribing during
      // it with an id of the shared log.
      await onB.waitFor((e) => e.type === "reset", "reset on B");
      const sharedId = onB.events.find((e) => e.type === "ready")!.lastEventId;
      await using onC = await Subscriber.open(c.href("/_/events"), sharedId);
      const replay = onC.events.map((e) => `${e.type} ${e.lastEventId}`);
      assertEquals(replay, ["reset L", "ready L"]);
      await Deno.writeTextFile(`${dir.path}/outage.txt`, "written during the outage");
      for (const [name, subscriber] of [["B", onB], ["C", onC]] as const) {
        const seen = (e: SseEvent) => e.data.includes('"path":"outage.txt"');
        const local = await subscriber.waitFor(seen, `outage.txt on ${name}`);
        assertMatch(local.lastEventId, /^L/);
        assertEquals(subscriber.events.filter((e) => e.type === "reset").length, 1);
      }
    });

    await t.step("Redis back: instances recover without a restart", async () => {
      await redis.start();
      let status = 0;
      for (let i = 0; i < 200 && status !== 200; i++) {
        const health = await fetch(c.href("/_/health"));
        status = health.status;
        await health.body?.cancel();
        if (status !== 200) await sleep(50);
      }
      assertEquals(status, 200);
      const upload = await createUpload(c, "after-outage.txt");
      await upload.body?.cancel();
      assertEquals(upload.status, 201);
      // The feed reads the shared log again: a change through B reaches C.
      await sleep(1500);
      await using onC = await Subscriber.open(c.href("/_/events"));
      await put(b.href("/after.txt"), "back");
      await onC.waitFor((e) => e.data.includes('"after.txt"'), "after.txt on C", 10_000);
    });
  },
});

Deno.test({
  name:
    "cluster: while Redis is down the feed falls back to local changes, and SIGTERM exits at once",
  ignore: !hasRedis(),
  async fn() {
    await using redis = await startRedis();
    await using dir = await tempDir();
    const sluice = await startInstance(dir.path, redis.url);
    await using onEvents = await Subscriber.open(sluice.href("/_/events"));
    await redis.stop();
    await onEvents.waitFor((e) => e.type === "reset", "reset");
    await sleep(1500);
    // It retried the store meanwhile: still one reset, no "reconnected" flapping.
    assertEquals(onEvents.events.filter((e) => e.type === "reset").length, 1);
    // The feed falls back to this instance's own changes.
    await Deno.writeTextFile(`${dir.path}/local.txt`, "written during the outage");
    const local = await onEvents.waitFor((e) => e.data.includes('"local.txt"'), "local change");
    assertMatch(local.lastEventId, /^L/);
    const status = await deadline(sluice.stop(), "Sluice to exit", 5000);
    assertEquals(status.code, 0);
  },
});

if (!hasRedis()) {
  console.log("cluster_test: redis-server not installed (apt-get install redis-server); skipped");
}
