import { parseAuth } from "../src/config/parse_config.ts";
import { assertEquals, assertMatch } from "./helpers/assert.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

/** A MOVE with `Destination` (and more headers); returns status, body text and Location. */
async function move(url: string, destination: string | null, headers: HeadersInit = {}) {
  const all = new Headers(headers);
  if (destination !== null) all.set("destination", destination);
  const res = await fetch(url, { method: "MOVE", headers: all });
  return { status: res.status, text: await res.text(), location: res.headers.get("location") };
}

const tree = (path: string) =>
  Array.from(Deno.readDirSync(path), (e) => e.name + (e.isDirectory ? "/" : "")).sort();

Deno.test("moveEntry() renames files and folders, making missing parents", async (t) => {
  await using dir = await tempDir({ "a.txt": "A", "photos/cat.png": "meow", "b.txt": "B" });
  await using server = startTestServer(dir.path, { upload: true });
  await t.step("a file to a new name → 201 with Location", async () => {
    const res = await move(server.href("/a.txt"), "/renamed%20%E2%9C%93.txt");
    assertEquals([res.status, res.location], [201, "/renamed%20%E2%9C%93.txt"]);
    assertEquals(await Deno.readTextFile(`${dir.path}/renamed ✓.txt`), "A");
  });
  await t.step("a folder, by absolute URL, into a new parent", async () => {
    const res = await move(server.href("/photos/"), server.href("/2026/pictures"));
    assertEquals([res.status, res.location], [201, "/2026/pictures/"]);
    assertEquals(tree(`${dir.path}/2026/pictures`), ["cat.png"]);
  });
  await t.step("the listing and GET see the new names at once", async () => {
    const res = await fetch(server.href("/2026/pictures/cat.png"));
    assertEquals(await res.text(), "meow");
  });
  assertEquals(tree(dir.path), ["2026/", "b.txt", "renamed ✓.txt"]);
});

Deno.test("moveEntry() never replaces without Overwrite: T, and a folder only with it", async (t) => {
  await using dir = await tempDir({ "a.txt": "A", "b.txt": "B", "d/x": "x", "e/y": "y" });
  await using server = startTestServer(dir.path, { upload: true });
  await t.step("existing file, no Overwrite → 412", async () => {
    const res = await move(server.href("/a.txt"), "/b.txt");
    assertEquals(res.status, 412);
    assertMatch(res.text, /Overwrite: T/);
    assertEquals(await Deno.readTextFile(`${dir.path}/b.txt`), "B");
  });
  await t.step("Overwrite: F → 412", async () => {
    assertEquals((await move(server.href("/a.txt"), "/b.txt", { overwrite: "F" })).status, 412);
  });
  await t.step("Overwrite: T → 204, replaced", async () => {
    assertEquals((await move(server.href("/a.txt"), "/b.txt", { overwrite: "T" })).status, 204);
    assertEquals(await Deno.readTextFile(`${dir.path}/b.txt`), "A");
  });
  await t.step("onto a folder without Overwrite: T → 412", async () => {
    assertEquals((await move(server.href("/e/"), "/d/")).status, 412);
    assertEquals(tree(dir.path), ["b.txt", "d/", "e/"]);
  });
  await t.step(
    "onto a folder with Overwrite: T → 204, the folder replaced (RFC 4918 §9.9.3)",
    async () => {
      assertEquals((await move(server.href("/e/"), "/d/", { overwrite: "T" })).status, 204);
      assertEquals(await Deno.readTextFile(`${dir.path}/d/y`), "y");
    },
  );
  assertEquals(tree(dir.path), ["b.txt", "d/"]);
});

Deno.test("moveEntry() refuses bad requests with a precise 4xx", async (t) => {
  await using dir = await tempDir({ "a.txt": "A", "d/inner/x": "x", ".hidden": "h" });
  await Deno.symlink(`${dir.path}/nowhere`, `${dir.path}/dangling`);
  await using server = startTestServer(dir.path, { upload: true });
  const cases: [string, string, string | null, HeadersInit, number][] = [
    ["no Destination", "/a.txt", null, {}, 400],
    ["another host", "/a.txt", "http://elsewhere.example/a2.txt", {}, 400],
    ["a reserved destination", "/a.txt", "/_/static/x.txt", {}, 400],
    ["a reserved destination, encoded", "/a.txt", "/%5f/x.txt", {}, 400],
    ["another scheme", "/a.txt", "ftp://127.0.0.1/a2.txt", {}, 400],
    ["a file source with a trailing slash", "/a.txt/", "/a2.txt", {}, 404],
    ["a destination below a file", "/a.txt", "/a.txt/inside.txt", {}, 409],
    ["a broken symlink (the link itself moves)", "/dangling", "/dangling2", {}, 201],
    ["a dot-entry destination", "/a.txt", "/.a.txt", {}, 400],
    ["a dot-entry source", "/.hidden", "/visible", {}, 400],
    ["a missing source", "/nope.txt", "/b.txt", {}, 404],
    ["ROOT", "/", "/elsewhere/", {}, 403],
    ["a folder into itself", "/d/", "/d/inner/d", {}, 409],
    ["onto itself", "/a.txt", "/a.txt", {}, 409],
    ["a bad Overwrite", "/a.txt", "/b.txt", { overwrite: "yes" }, 400],
    ["a stale If-Match", "/a.txt", "/b.txt", { "if-match": '"stale"' }, 412],
    ["an escaping destination", "/a.txt", "/%2e%2e/%2e%2e/etc/a.txt", {}, 201],
  ];
  for (const [label, from, to, headers, status] of cases) {
    await t.step(`${label} → ${status}`, async () => {
      assertEquals((await move(server.href(from), to, headers)).status, status);
    });
  }
  await t.step("credentials in Destination → 400", async () => {
    const to = server.href("/a2.txt").replace("http://", "http://u:p@");
    const res = await move(server.href("/a.txt"), to);
    assertEquals([res.status, res.text], [400, "Destination must not hold credentials\n"]);
  });
  // The URL parser resolves `..` above ROOT to ROOT itself: the file stays inside.
  assertEquals(tree(`${dir.path}/etc`), ["a.txt"]);
});

Deno.test("moveEntry() needs write mode and a read-write user", async () => {
  await using dir = await tempDir({ "a.txt": "A" });
  {
    await using server = startTestServer(dir.path);
    const res = await move(server.href("/a.txt"), "/b.txt");
    assertEquals(res.status, 405);
  }
  await using server = startTestServer(dir.path, {
    upload: true,
    auth: [parseAuth("ro:pw:ro"), parseAuth("rw:pw")],
  });
  const basic = (user: string) => ({ authorization: `Basic ${btoa(`${user}:pw`)}` });
  assertEquals((await move(server.href("/a.txt"), "/b.txt")).status, 401);
  assertEquals((await move(server.href("/a.txt"), "/b.txt", basic("ro"))).status, 403);
  assertEquals((await move(server.href("/a.txt"), "/b.txt", basic("rw"))).status, 201);
});

Deno.test("moveEntry() refuses a hard link onto itself and a folder with an upload running", async () => {
  await using dir = await tempDir({ "a.txt": "A", "up/old.txt": "o" });
  await Deno.link(`${dir.path}/a.txt`, `${dir.path}/hard.txt`);
  await using server = startTestServer(dir.path, { upload: true });
  const same = await move(server.href("/a.txt"), "/hard.txt", { overwrite: "T" });
  assertEquals([same.status, same.text], [409, "Source and destination are the same file\n"]);
  // An upload into up/ that is still receiving its body.
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const put = fetch(server.href("/up/new.bin"), { method: "PUT", body: readable });
  await writer.write(new Uint8Array(10));
  while (server.state.temps.size === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const busy = await move(server.href("/up/"), "/up2/");
  assertEquals([busy.status, busy.text], [409, "Folder has an upload in progress\n"]);
  await writer.close();
  assertEquals((await put).status, 201);
  assertEquals(tree(`${dir.path}/up`), ["new.bin", "old.txt"]);
  // Once it is done the folder moves.
  assertEquals((await move(server.href("/up/"), "/up2/")).status, 201);
});
