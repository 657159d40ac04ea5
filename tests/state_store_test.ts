/**
 * One contract suite for every `StateStore` adapter: SQLite in a temp dir,
 * and Redis on a throwaway `redis-server` (skipped, with the reason, when
 * Debian's redis-server is not installed).
 */
import { RedisStore } from "../src/state/redis_store.ts";
import { SqliteStore } from "../src/state/sqlite_store.ts";
import { compareLogIds, type StateStore, StoreUnavailable } from "../src/state/state_store.ts";
import { assertEquals, assertOk, assertRejects } from "./helpers/assert.ts";
import { hasRedis, startRedis } from "./helpers/redis_server.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The contract: every adapter must pass these steps. */
async function contract(t: Deno.TestContext, store: StateStore): Promise<void> {
  await t.step("get() of a missing key is null", async () => {
    assertEquals(await store.get("nope"), null);
  });

  await t.step("put() then get() returns the JSON value with a version", async () => {
    const v1 = await store.put("a", { x: 1, s: "é\u0000\n" });
    const got = await store.get<{ x: number }>("a");
    assertEquals(got?.value, { x: 1, s: "é\u0000\n" });
    assertEquals(got?.version, v1);
    assertEquals(got?.expiresAt, null);
    const v2 = await store.put("a", { x: 2 });
    assertOk(v2 > v1, "versions increase");
  });

  await t.step("create() writes only when absent", async () => {
    assertEquals(await store.create("c", 1), true);
    assertEquals(await store.create("c", 2), false);
    assertEquals((await store.get("c"))?.value, 1);
  });

  await t.step("compareAndSet() writes only at the expected version", async () => {
    const current = await store.get<number>("c");
    assertOk(current);
    assertEquals(await store.compareAndSet("c", current.version + 1000, 9), false);
    assertEquals(await store.compareAndSet("c", current.version, 3), true);
    assertEquals(await store.compareAndSet("c", current.version, 4), false, "old version");
    assertEquals((await store.get("c"))?.value, 3);
    assertEquals(await store.compareAndSet("missing", 1, 1), false);
  });

  await t.step("a deleted and recreated key never reuses a version", async () => {
    const before = (await store.get("c"))!.version;
    assertEquals(await store.delete("c"), true);
    await store.create("c", 5);
    assertOk((await store.get("c"))!.version > before);
    assertEquals(await store.compareAndSet("c", before, 6), false);
  });

  await t.step("delete() honours a version and reports what it removed", async () => {
    const { version } = (await store.get("c"))!;
    assertEquals(await store.delete("c", version + 1), false);
    assertEquals(await store.delete("c", version), true);
    assertEquals(await store.delete("c"), false);
  });

  await t.step("records expire after their TTL and can be recreated", async () => {
    await store.put("ttl", "soon", { ttlMs: 150 });
    const got = await store.get("ttl");
    assertOk(got?.expiresAt !== null && got!.expiresAt! > Date.now());
    await sleep(300);
    assertEquals(await store.get("ttl"), null);
    assertEquals(await store.create("ttl", "again"), true);
  });

  await t.step("expire() sets and clears a TTL", async () => {
    await store.put("e", 1);
    assertEquals(await store.expire("e", 100), true);
    assertOk((await store.get("e"))?.expiresAt);
    assertEquals(await store.expire("e", null), true);
    await sleep(200);
    assertEquals((await store.get("e"))?.value, 1);
    assertEquals(await store.expire("gone", 100), false);
  });

  await t.step("list() returns live records under a prefix in key order", async () => {
    await store.put("p:b", 2);
    await store.put("p:a", 1);
    await store.put("p:*[x]", 3);
    await store.put("q:a", 4);
    await store.put("p:old", 0, { ttlMs: 1 });
    await sleep(20);
    const listed = await store.list<number>("p:");
    assertEquals(listed.map((r) => [r.key, r.value]), [["p:*[x]", 3], ["p:a", 1], ["p:b", 2]]);
    assertEquals((await store.list("p:*")).map((r) => r.key), ["p:*[x]"], "globs are literal");
  });

  await t.step("concurrent create() of one key lets exactly one win", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.create("race", i)),
    );
    assertEquals(results.filter(Boolean).length, 1);
  });

  await t.step("append() and readAfter() keep order and report gaps", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await store.append("log1", `e${i}`));
    for (let i = 1; i < ids.length; i++) assertOk(compareLogIds(ids[i - 1], ids[i]) < 0);
    const all = await store.readAfter("log1", null, 100);
    assertEquals(all.entries.map((e) => e.data), ["e0", "e1", "e2", "e3", "e4"]);
    assertEquals(all.last, ids[4]);
    const rest = await store.readAfter("log1", ids[1], 2);
    assertEquals(rest.entries.map((e) => e.data), ["e2", "e3"]);
    assertEquals(rest.gap, false);
    assertEquals((await store.readAfter("log1", "nonsense", 10)).gap, true);
    assertEquals((await store.readAfter("log1", "99999999999999-0", 10)).gap, true);
    assertEquals((await store.readAfter("other", null, 10)).entries, []);
  });

  await t.step("subscribe() delivers entries appended later, in order", async () => {
    const controller = new AbortController();
    const start = (await store.readAfter("log2", null, 0)).last;
    const got: string[] = [];
    const reading = (async () => {
      for await (const entry of store.subscribe("log2", start, controller.signal)) {
        got.push(entry.data);
        if (got.length === 3) controller.abort();
      }
    })();
    await sleep(50);
    for (const data of ["x", "y", "z"]) await store.append("log2", data);
    await reading;
    assertEquals(got, ["x", "y", "z"]);
  });

  await t.step("status() names the backend and is ok", () => {
    const status = store.status();
    assertEquals(status.backend, store.backend);
    assertEquals(status.state, "ok");
  });
}

Deno.test("SqliteStore passes the StateStore contract", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "sluice-state-" });
  const store = new SqliteStore(`${dir}/state.db`, { pollMs: 50 });
  try {
    await contract(t, store);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteStore keeps records across a reopen and migrates once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sluice-state-" });
  try {
    const first = new SqliteStore(`${dir}/state.db`);
    await first.put("k", { kept: true });
    const id = await first.append("log", "one");
    await first.close();
    const second = new SqliteStore(`${dir}/state.db`);
    assertEquals((await second.get("k"))?.value, { kept: true });
    assertEquals((await second.readAfter("log", null, 10)).last, id);
    await second.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SqliteStore trims a log and reports a gap for ids it dropped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sluice-state-" });
  const store = new SqliteStore(`${dir}/state.db`, { logLength: 10 });
  try {
    const first = await store.append("log", "0");
    for (let i = 1; i < 250; i++) await store.append("log", String(i));
    const read = await store.readAfter("log", first, 1000);
    assertEquals(read.gap, true);
    assertOk(read.entries.length < 250);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "RedisStore passes the StateStore contract",
  ignore: !hasRedis(),
  async fn(t) {
    await using redis = await startRedis();
    const store = await RedisStore.connect(redis.url);
    try {
      await contract(t, store);
    } finally {
      await store.close();
    }
  },
});

Deno.test({
  name: "RedisStore fails fast while Redis is down and recovers by itself",
  ignore: !hasRedis(),
  async fn() {
    await using redis = await startRedis();
    const changes: string[] = [];
    const store = await RedisStore.connect(redis.url, {
      maxBackoffMs: 100,
      onStateChange: (state) => changes.push(state),
    });
    try {
      await store.put("k", 1);
      await redis.stop();
      await assertRejects(() => store.get("k"), StoreUnavailable);
      assertEquals(store.status().state, "degraded");
      await redis.start();
      for (let i = 0; i < 100 && store.status().state !== "ok"; i++) await sleep(50);
      assertEquals(store.status().state, "ok");
      assertEquals(await store.get("k"), null, "the new Redis is empty");
      await store.put("k", 2);
      assertEquals((await store.get("k"))?.value, 2);
      assertEquals(changes, ["degraded", "ok"], "each transition reported once");
    } finally {
      await store.close();
    }
  },
});

if (!hasRedis()) {
  console.log(
    "state_store_test: redis-server not installed (apt-get install redis-server); Redis cases skipped",
  );
}
