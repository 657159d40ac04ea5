import type { DavLock } from "../src/dav/lock_model.ts";
import { LockStore } from "../src/dav/lock_store.ts";
import { PropStore } from "../src/dav/prop_store.ts";
import { SqliteStore } from "../src/state/sqlite_store.ts";
import { assertEquals } from "./helpers/assert.ts";
import { tempDir } from "./helpers/server.ts";

/** A SQLite store in `dir`, closed by `await using`. */
function sqlite(dir: string): SqliteStore & AsyncDisposable {
  const store = new SqliteStore(`${dir}/state.db`);
  return Object.assign(store, { [Symbol.asyncDispose]: () => store.close() });
}

const NOW = Date.now();

function lock(token: string, path: string, scope: DavLock["scope"] = "exclusive"): DavLock {
  return {
    token,
    path,
    depth: "infinity",
    scope,
    collection: false,
    owner: "",
    timeoutSeconds: 60,
    expiresAt: NOW + 60_000,
    principal: null,
  };
}

Deno.test("LockStore.grant() lets exactly one of 20 racing exclusive grants win, across two stores", async () => {
  await using dir = await tempDir();
  await using a = sqlite(dir.path);
  await using b = sqlite(dir.path);
  const stores = [new LockStore(a), new LockStore(b)];
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => stores[i % 2].grant(lock(`urn:t${i}`, "/a"), NOW)),
  );
  assertEquals(results.filter((conflict) => conflict === null).length, 1);
  assertEquals((await stores[1].all(NOW)).length, 1);
});

Deno.test("LockStore keeps shared locks together, refreshes, and forgets expired and removed ones", async () => {
  await using dir = await tempDir();
  await using store = sqlite(dir.path);
  const locks = new LockStore(store);
  assertEquals(await locks.grant(lock("urn:s1", "/a", "shared"), NOW), null);
  assertEquals(await locks.grant(lock("urn:s2", "/a", "shared"), NOW), null);
  assertEquals((await locks.grant(lock("urn:x", "/a/b"), NOW))?.token, "urn:s1");
  assertEquals((await locks.refresh("urn:s1", 5, NOW))?.expiresAt, NOW + 5000);
  assertEquals((await locks.all(NOW + 6000)).map((l) => l.token), ["urn:s2"]);
  await locks.remove("urn:s2", NOW);
  assertEquals(
    await locks.all(NOW),
    [lock("urn:s1", "/a", "shared")].map((l) => ({
      ...l,
      timeoutSeconds: 5,
      expiresAt: NOW + 5000,
    })),
  );
  assertEquals(await locks.refresh("urn:gone", 5, NOW), null);
  await locks.grant(lock("urn:deep", "/a/b/c", "shared"), NOW);
  await locks.grant(lock("urn:other", "/ab", "exclusive"), NOW);
  await locks.removeWithin("/a", NOW);
  assertEquals((await locks.all(NOW)).map((l) => l.token), ["urn:other"]);
});

Deno.test("PropStore patches atomically and moves, copies and removes whole trees", async () => {
  await using dir = await tempDir();
  await using store = sqlite(dir.path);
  const props = new PropStore(store);
  const set = (name: string, xml: string) => ({ op: "set" as const, name, xml });
  await props.patch(["d"], [set("{u}a", "<a/>")]);
  await props.patch(["d", "f.txt"], [set("{u}b", "<b/>"), set("{u}c", "<c/>"), {
    op: "remove",
    name: "{u}c",
  }]);
  await props.patch(["d", "e", "g"], [set("{u}d", "<d/>")]);
  await props.patch(["dx"], [set("{u}x", "<x/>")]);
  assertEquals(await props.get(["d", "f.txt"]), { "{u}b": "<b/>" });
  assertEquals([...(await props.members(["d"])).keys()], ["f.txt"]);

  await props.copy(["d"], ["copy"], false);
  assertEquals([await props.get(["copy"]), await props.get(["copy", "f.txt"])], [
    { "{u}a": "<a/>" },
    {},
  ]);

  await props.move(["d"], ["m"]);
  assertEquals(await props.get(["m", "e", "g"]), { "{u}d": "<d/>" });
  assertEquals(await props.get(["d", "e", "g"]), {});
  assertEquals(await props.get(["dx"]), { "{u}x": "<x/>" });

  await props.patch(["m"], [{ op: "remove", name: "{u}a" }]);
  assertEquals(await props.get(["m"]), {});
  await props.remove(["m"]);
  assertEquals(await props.get(["m", "f.txt"]), {});
  assertEquals((await store.list("dav:prop:")).map((r) => r.key), [
    "dav:prop://copy",
    "dav:prop://dx",
  ]);
});
