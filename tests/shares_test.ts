/**
 * Share links and drop boxes against the real server on port 0, real
 * sockets, and a real SQLite state store (restarts reuse its folder).
 * @module
 */
import { parseAuth } from "../src/config/parse_config.ts";
import { ShareRepository } from "../src/shares/share_repository.ts";
import { RedisStore } from "../src/state/redis_store.ts";
import { SqliteStore } from "../src/state/sqlite_store.ts";
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { captureConsole } from "./helpers/console.ts";
import { connectRaw } from "./helpers/raw_http.ts";
import { hasRedis, startRedis } from "./helpers/redis_server.ts";
import {
  startStatefulServer,
  startTestServer,
  tempDir,
  type TestServer,
} from "./helpers/server.ts";

const TREE = {
  "top.txt": "top secret",
  "pub/a.txt": "0123456789",
  "pub/sub/b.txt": "bee",
  "pub/Clip.mp4": "m".repeat(1000),
  "other/c.txt": "not shared",
};

interface Made {
  id: string;
  url: string;
  mode: string;
  path: string;
  expires: string;
  qr: string;
}

async function share(
  server: TestServer,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Made> {
  const res = await fetch(server.href("/_/api/shares"), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  assertEquals(res.status, 201, await res.clone().text());
  return await res.json();
}

/** The status and body text of a GET (or other request) of `url`. */
async function get(url: string, init: RequestInit = {}): Promise<[number, string, Headers]> {
  const res = await fetch(url, { redirect: "manual", ...init });
  return [res.status, await res.text(), res.headers];
}

/** A server with writes on and a state store, serving a fresh copy of TREE. */
async function sharingServer(overrides = {}) {
  const dir = await tempDir(TREE);
  const server = await startStatefulServer(dir.path, { upload: true, ...overrides });
  return {
    dir: dir.path,
    server,
    async [Symbol.asyncDispose]() {
      await server[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}

Deno.test("createShare() answers 201 with a link whose token is 32 base64url characters", async () => {
  await using s = await sharingServer();
  const made = await share(s.server, { path: "/pub/", mode: "read", expires: "2h" });
  assertMatch(made.url, /^http:\/\/127\.0\.0\.1:\d+\/_\/s\/[A-Za-z0-9_-]{32}\/$/);
  assertMatch(made.id, /^[a-z2-7]{12}$/);
  assertEquals(made.mode, "read");
  assertEquals(made.path, "/pub/");
  const hours = (Date.parse(made.expires) - Date.now()) / 3600_000;
  assertOk(hours > 1.9 && hours <= 2, made.expires);
  assertMatch(made.qr, /^<svg /);
  const file = await share(s.server, { path: "/top.txt" });
  assertMatch(file.url, /\/_\/s\/[A-Za-z0-9_-]{32}$/);
  const days = (Date.parse(file.expires) - Date.now()) / 86_400_000;
  assertOk(days > 6.9 && days <= 7, "default expiry is seven days");
  assertEquals((await share(s.server, { path: "/top.txt", expires: "never" })).expires, "never");
});

Deno.test("listShares() lists shares with their use and never a token", async () => {
  await using s = await sharingServer();
  const made = await share(s.server, { path: "/pub/a.txt", maxDownloads: 5 });
  await (await fetch(made.url)).body?.cancel();
  const [status, text] = await get(s.server.href("/_/api/shares"));
  assertEquals(status, 200);
  const token = new URL(made.url).pathname.split("/")[3];
  assertOk(!text.includes(token), "no token in the list");
  const [listed] = JSON.parse(text);
  assertEquals(listed.id, made.id);
  assertEquals(listed.path, "/pub/a.txt");
  assertEquals(listed.uses, 1);
  assertEquals(listed.downloads, 1);
  assertEquals(listed.maxDownloads, 5);
  assertEquals(listed.missing, false);
  assertEquals(listed.creator, null);
  assertOk(listed.lastUse !== null);
});

Deno.test("createShare() refuses bad requests with a precise 4xx", async () => {
  await using s = await sharingServer();
  const cases: [string, string | Record<string, unknown>, number][] = [
    ["not JSON", "{", 400],
    ["an array", "[]", 400],
    ["unknown field", { path: "/pub/", colour: "red" }, 400],
    ["relative path", { path: "pub/" }, 400],
    ["dot segment", { path: "/pub/../other/" }, 400],
    ["bad mode", { path: "/pub/", mode: "write" }, 400],
    ["bad expiry", { path: "/pub/", expires: "soon" }, 400],
    ["expiry in the past", { path: "/pub/", expires: "2001-01-01T00:00:00Z" }, 400],
    ["expiry not a string", { path: "/pub/", expires: 7 }, 400],
    ["zero downloads", { path: "/pub/", maxDownloads: 0 }, 400],
    ["empty password", { path: "/pub/", password: "" }, 400],
    ["drop box of a file", { path: "/top.txt", mode: "upload" }, 400],
    ["missing target", { path: "/nope/" }, 404],
    ["dot-entry", { path: "/.hidden" }, 404],
  ];
  for (const [what, body, status] of cases) {
    const res = await fetch(s.server.href("/_/api/shares"), {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    assertEquals(res.status, status, `${what}: ${await res.text()}`);
  }
  const big = await fetch(s.server.href("/_/api/shares"), {
    method: "POST",
    body: JSON.stringify({ path: "/pub/", password: "x".repeat(20_000) }),
  });
  assertEquals(big.status, 413);
  await big.body?.cancel();
});

Deno.test("createShare() is refused without writes or a user with write access", async () => {
  await using dir = await tempDir(TREE);
  {
    await using server = await startStatefulServer(dir.path);
    const [status] = await get(server.href("/_/api/shares"), {
      method: "POST",
      body: JSON.stringify({ path: "/pub/" }),
    });
    assertEquals(status, 403);
  }
  await using server = await startStatefulServer(dir.path, {
    auth: [parseAuth("ann:pw"), parseAuth("rob:pw:ro")],
  });
  const body = JSON.stringify({ path: "/pub/" });
  assertEquals((await get(server.href("/_/api/shares"), { method: "POST", body }))[0], 401);
  const rob = { authorization: `Basic ${btoa("rob:pw")}` };
  const ann = { authorization: `Basic ${btoa("ann:pw")}` };
  assertEquals(
    (await get(server.href("/_/api/shares"), { method: "POST", body, headers: rob }))[0],
    403,
  );
  // A read share needs no --upload; a drop box does.
  await share(server, { path: "/pub/" }, ann);
  const [dropStatus] = await get(server.href("/_/api/shares"), {
    method: "POST",
    body: JSON.stringify({ path: "/pub/", mode: "upload" }),
    headers: ann,
  });
  assertEquals(dropStatus, 403);
  const [, list] = await get(server.href("/_/api/shares"), { headers: ann });
  assertEquals(JSON.parse(list)[0].creator, "ann");
});

Deno.test("shareLink() works without credentials under --auth, only for its subtree", async () => {
  await using dir = await tempDir(TREE);
  await using server = await startStatefulServer(dir.path, {
    auth: [parseAuth("ann:pw"), parseAuth("bob:pw")],
    upload: true,
  });
  const ann = { authorization: `Basic ${btoa("ann:pw")}` };
  const bob = { authorization: `Basic ${btoa("bob:pw")}` };
  const made = await share(server, { path: "/pub/" }, ann);
  const drop = await share(server, { path: "/other/", mode: "upload" }, ann);
  const put = await fetch(drop.url + "in.txt", { method: "PUT", body: "dropped" });
  assertEquals(put.status, 201);
  await put.body?.cancel();
  assertEquals(await Deno.readTextFile(`${dir.path}/other/in.txt`), "dropped");
  // The drop box's page and UI assets load without credentials; nothing else does.
  assertEquals((await get(drop.url))[0], 200);
  assertEquals((await get(server.href("/_/static/dropbox.js")))[0], 200);
  assertEquals((await get(server.href("/other/in.txt"), { method: "PUT", body: "x" }))[0], 401);
  assertEquals((await get(made.url + "a.txt", { method: "PUT", body: "x" }))[0], 405);
  const [status, body] = await get(made.url + "a.txt");
  assertEquals([status, body], [200, "0123456789"]);
  assertEquals((await get(made.url + "sub/b.txt"))[1], "bee");
  assertEquals((await get(made.url))[0], 200);
  // Everything else still asks for credentials.
  assertEquals((await get(server.href("/top.txt")))[0], 401);
  assertEquals((await get(server.href("/pub/a.txt")))[0], 401);
  assertEquals((await get(server.href("/_/api/shares")))[0], 401);
  // Another user sees none of ann's shares and cannot revoke them.
  assertEquals((await get(server.href("/_/api/shares"), { headers: bob }))[1], "[]");
  const del = { method: "DELETE", headers: bob };
  assertEquals((await get(server.href(`/_/api/shares/${made.id}`), del))[0], 404);
  assertEquals((await get(made.url + "a.txt"))[0], 200);
});

Deno.test("shareLink() serves a shared folder like ROOT: ranges, conditionals, search, archives", async () => {
  await using s = await sharingServer();
  const made = await share(s.server, { path: "/pub/" });
  const base = new URL(made.url).pathname; // ends with "/"
  const range = await fetch(made.url + "a.txt", { headers: { range: "bytes=-3" } });
  assertEquals(range.status, 206);
  assertEquals(await range.text(), "789");
  const etag = range.headers.get("etag")!;
  const again = await fetch(made.url + "a.txt", { headers: { "if-none-match": etag } });
  assertEquals(again.status, 304);
  await again.body?.cancel();
  // JSON listing: hrefs inside the share.
  const json = await (await fetch(made.url, { headers: { accept: "application/json" } })).json();
  assertEquals(
    json.map((e: { href: string }) => e.href).sort(),
    [`${base}Clip.mp4`, `${base}a.txt`, `${base}sub/`],
  );
  // HTML listing: no name or link above the shared folder.
  const [, html] = await get(made.url + "sub/");
  assertOk(!html.includes('href="/"'), "no link to ROOT");
  assertOk(!html.includes('/_/"'), "no demos link");
  assertOk(!html.includes("pub"), "the shared folder's own name is not shown");
  assertOk(html.includes(`href="${base}sub/"`), "crumbs stay inside the share");
  // A folder without its slash redirects inside the share.
  const [status, , headers] = await get(made.url + "sub?x=1");
  assertEquals([status, headers.get("location")], [301, `${base}sub/?x=1`]);
  // Search inside it.
  const found =
    await (await fetch(made.url + "?q=b.t", { headers: { accept: "application/json" } }))
      .json();
  assertEquals(found.map((e: { name: string }) => e.name), ["sub/b.txt"]);
  // The folder as a tar archive holds the shared files only.
  const tar = new TextDecoder().decode(
    new Uint8Array(await (await fetch(made.url + "?download=tar")).arrayBuffer()),
  );
  assertOk(tar.includes("sub/b.txt") && !tar.includes("top secret") && !tar.includes("other"));
});

Deno.test("shareLink() serves a shared file only at its own link", async () => {
  await using s = await sharingServer();
  const made = await share(s.server, { path: "/pub/a.txt" });
  const [status, body, headers] = await get(made.url);
  assertEquals([status, body], [200, "0123456789"]);
  assertEquals(headers.get("content-type"), "text/plain; charset=utf-8");
  assertMatch(
    (await get(made.url + "?download"))[2].get("content-disposition")!,
    /^attachment; filename="a.txt"/,
  );
  assertEquals((await get(made.url + "/"))[0], 404);
  assertEquals((await get(made.url + "/a.txt"))[0], 404);
  const range = await fetch(made.url, { headers: { range: "bytes=2-4" } });
  assertEquals([range.status, await range.text()], [206, "234"]);
});

Deno.test("shareLink() keeps path escapes, odd tokens and symlinks inside the share", async () => {
  await using s = await sharingServer();
  await Deno.symlink(`${s.dir}/other/c.txt`, `${s.dir}/pub/link.txt`);
  await Deno.symlink(`${s.dir}/other`, `${s.dir}/pub/linkdir`);
  await Deno.symlink(`${s.dir}/pub/sub`, `${s.dir}/pub/inside`);
  const made = await share(s.server, { path: "/pub/" });
  const base = new URL(made.url).pathname;
  const token = base.split("/")[3];
  // Symlinks out of the shared folder (though inside ROOT) are not there.
  assertEquals((await get(made.url + "link.txt"))[0], 404);
  assertEquals((await get(made.url + "linkdir/c.txt"))[0], 404);
  assertEquals((await get(made.url + "inside/b.txt"))[1], "bee");
  const json = await (await fetch(made.url, { headers: { accept: "application/json" } })).json();
  assertOk(!json.some((e: { name: string }) => e.name.startsWith("link")), "not listed");
  const zip = new Uint8Array(await (await fetch(made.url + "?download=zip")).arrayBuffer());
  const text = new TextDecoder().decode(zip);
  assertOk(!text.includes("not shared") && !text.includes("link"), "not archived");
  // Raw requests, as sent: dot segments, encoded ones, separators, odd tokens.
  using conn = await connectRaw(s.server.url);
  const cases: [string, number][] = [
    [`${base}../other/c.txt`, 404],
    [`${base}%2e%2e/other/c.txt`, 404],
    [`${base}%2E%2E/%2E%2E/top.txt`, 404],
    [`${base}sub/..%2f..%2fother/c.txt`, 400],
    [`${base}sub%2f..%2f..%2ftop.txt`, 400],
    [`/_/s/${token}/../top.txt`, 404],
    [`/_/s/${token.slice(1)}/a.txt`, 404],
    [`/_/s/${token}x/a.txt`, 404],
    [`/_/s/${token.slice(0, -1)}!/a.txt`, 404],
    [`/_/s/${"A".repeat(32)}/a.txt`, 404],
    [`/_/s/%00/a.txt`, 404],
    [`/_/s//a.txt`, 404],
    [`${base}.hidden`, 404],
    [`${base}a.txt%00`, 400],
  ];
  for (const [path, status] of cases) {
    await conn.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const res = await conn.read();
    assertEquals(res.status, status, path);
  }
});

Deno.test("shareLink() answers 404 once the target is gone, and the list says so", async () => {
  await using s = await sharingServer();
  const folder = await share(s.server, { path: "/pub/sub/" });
  const file = await share(s.server, { path: "/top.txt" });
  await Deno.rename(`${s.dir}/pub/sub`, `${s.dir}/pub/moved`);
  await Deno.remove(`${s.dir}/top.txt`);
  await Deno.mkdir(`${s.dir}/top.txt`); // a folder where the file was
  assertEquals((await get(folder.url))[0], 404);
  assertEquals((await get(folder.url + "b.txt"))[0], 404);
  const [status, page] = await get(file.url, { headers: { accept: "text/html" } });
  assertEquals(status, 404);
  assertMatch(page, /moved or deleted/);
  const list = JSON.parse((await get(s.server.href("/_/api/shares")))[1]);
  assertEquals(list.map((x: { missing: boolean }) => x.missing), [true, true]);
});

Deno.test("revokeShare() ends a link at once; unknown ids answer 404", async () => {
  await using s = await sharingServer();
  const made = await share(s.server, { path: "/pub/" });
  assertEquals((await get(made.url + "a.txt"))[0], 200);
  const del = await fetch(s.server.href(`/_/api/shares/${made.id}`), { method: "DELETE" });
  assertEquals(del.status, 204);
  assertEquals((await get(made.url + "a.txt"))[0], 404);
  const [status, page] = await get(made.url, { headers: { accept: "text/html" } });
  assertEquals(status, 404);
  assertMatch(page, /does not exist or was revoked/);
  for (const id of [made.id, "aaaaaaaaaaaa", "../../etc", "%00"]) {
    const res = await fetch(s.server.href(`/_/api/shares/${id}`), { method: "DELETE" });
    assertEquals(res.status, 404, id);
    await res.body?.cancel();
  }
  assertEquals(JSON.parse((await get(s.server.href("/_/api/shares")))[1]), []);
});

Deno.test("shareLink() answers 410 for an expired link and after its download limit", async () => {
  await using dir = await tempDir(TREE);
  const stateDir = await Deno.makeTempDir();
  const store = new SqliteStore(`${stateDir}/state.db`);
  try {
    await using server = startTestServer(dir.path, { upload: true }, store);
    const repo = new ShareRepository(store);
    const { token } = await repo.create({
      mode: "read",
      kind: "folder",
      segments: ["pub"],
      creator: null,
      expiresAt: Date.now() - 1000,
      password: null,
      maxDownloads: null,
      maxBytes: null,
      maxFiles: null,
    }, Date.now() - 5000);
    const [status, page] = await get(server.href(`/_/s/${token}/`), {
      headers: { accept: "text/html" },
    });
    assertEquals(status, 410);
    assertMatch(page, /expired/);
    assertEquals((await get(server.href(`/_/s/${token}/a.txt`)))[0], 410);

    const limited = await share(server, { path: "/pub/a.txt", maxDownloads: 2 });
    // Ranges after the start (a video being watched) and revalidations do not count.
    const ranged = await fetch(limited.url, { headers: { range: "bytes=5-" } });
    assertEquals(ranged.status, 206);
    await ranged.body?.cancel();
    assertEquals((await get(limited.url))[0], 200);
    assertEquals((await get(limited.url))[0], 200);
    assertEquals((await get(limited.url))[0], 410);
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("shareLink() asks for a share's password and remembers it in a cookie", async () => {
  await using s = await sharingServer();
  const made = await share(s.server, { path: "/pub/", password: "open sesame" });
  const html = { accept: "text/html" };
  const [status, page, headers] = await get(made.url + "a.txt", { headers: html });
  assertEquals(status, 401);
  assertMatch(page, /<form method="post"/);
  assertMatch(headers.get("www-authenticate")!, /^SharePassword/);
  const form = (password: string) => ({
    method: "POST",
    headers: { ...html, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ password }).toString(),
  });
  const [wrong, wrongPage] = await get(made.url + "a.txt", form("nope"));
  assertEquals(wrong, 401);
  assertMatch(wrongPage, /Wrong password/);
  const [ok, , okHeaders] = await get(made.url + "a.txt", form("open sesame"));
  assertEquals(ok, 303);
  assertEquals(okHeaders.get("location"), new URL(made.url).pathname + "a.txt");
  const cookie = okHeaders.get("set-cookie")!;
  assertMatch(cookie, new RegExp(`Path=${new URL(made.url).pathname.slice(0, -1)};`));
  assertMatch(cookie, /HttpOnly/);
  const value = cookie.split(";")[0];
  assertEquals((await get(made.url + "a.txt", { headers: { cookie: value } }))[1], "0123456789");
  assertEquals((await get(made.url + "a.txt", { headers: { cookie: "sluice_share=x" } }))[0], 401);
  // Scripts and tools send the password in a header.
  const viaHeader = await get(made.url + "a.txt", {
    headers: { "x-share-password": "open sesame" },
  });
  assertEquals(viaHeader[1], "0123456789");
  assertEquals((await get(made.url + "a.txt", { headers: { "x-share-password": "x" } }))[0], 401);
});

Deno.test("shareLink() rate-limits failed guesses per client with 429 and Retry-After", async () => {
  await using s = await sharingServer();
  const made = await share(s.server, { path: "/pub/" });
  for (let i = 0; i < 10; i++) {
    const [status] = await get(s.server.href(`/_/s/${"x".repeat(32)}/`));
    assertEquals(status, 404);
  }
  const res = await fetch(s.server.href(`/_/s/${"y".repeat(32)}/`));
  assertEquals(res.status, 429);
  assertOk(Number(res.headers.get("retry-after")) >= 1);
  await res.body?.cancel();
  // A valid link waits too: guessing cannot go on through it.
  assertEquals((await get(made.url))[0], 429);
});

Deno.test("shareLink() rate-limits password guesses", async () => {
  await using s = await sharingServer();
  const made = await share(s.server, { path: "/pub/a.txt", password: "right" });
  const statuses = [];
  for (let i = 0; i < 11; i++) {
    statuses.push((await get(made.url, { headers: { "x-share-password": `wrong${i}` } }))[0]);
  }
  assertEquals(statuses.slice(0, 9), Array(9).fill(401));
  assertEquals(statuses.at(-1), 429);
  assertEquals((await get(made.url, { headers: { "x-share-password": "right" } }))[0], 429);
});

Deno.test("shareLink() keeps working after a restart with the same state folder", async () => {
  await using dir = await tempDir(TREE);
  const stateDir = await Deno.makeTempDir();
  try {
    let made: Made;
    let drop: Made;
    {
      await using server = await startStatefulServer(dir.path, { upload: true }, stateDir);
      made = await share(server, { path: "/pub/", password: "pw" });
      drop = await share(server, { path: "/other/", mode: "upload", maxFiles: 2 });
      const put = await fetch(drop.url + "x.txt", { method: "PUT", body: "1" });
      assertEquals(put.status, 201);
      await put.body?.cancel();
    }
    await using server = await startStatefulServer(dir.path, { upload: true }, stateDir);
    const port = new URL(server.url).port;
    const moved = (url: string) => url.replace(/:\d+\//, `:${port}/`);
    const [status, body] = await get(moved(made.url) + "a.txt", {
      headers: { "x-share-password": "pw" },
    });
    assertEquals([status, body], [200, "0123456789"]);
    // The drop box's count survived: one more file, then it is full.
    const put = await fetch(moved(drop.url) + "x.txt", { method: "PUT", body: "2" });
    assertEquals((await put.json()).name, "x (1).txt");
    const full = await fetch(moved(drop.url) + "y.txt", { method: "PUT", body: "3" });
    assertEquals(full.status, 403);
    await full.body?.cancel();
  } finally {
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("dropUpload() never overwrites: a taken name becomes name (1).ext", async () => {
  await using s = await sharingServer();
  const drop = await share(s.server, { path: "/other/", mode: "upload" });
  const put = async (path: string, body: string) => {
    const res = await fetch(drop.url + path, { method: "PUT", body });
    assertEquals(res.status, 201, path);
    return await res.json();
  };
  assertEquals(await put("c.txt", "one"), { name: "c (1).txt", path: "c (1).txt", size: 3 });
  assertEquals((await put("c.txt", "two")).name, "c (2).txt");
  assertEquals((await put("new.tar.gz", "t")).name, "new.tar.gz");
  assertEquals((await put("new.tar.gz", "t")).name, "new (1).tar.gz");
  assertEquals((await put("deep/er/d.txt", "d")).path, "deep/er/d.txt");
  assertEquals((await put("deep/er/d.txt", "e")).path, "deep/er/d (1).txt");
  assertEquals(await Deno.readTextFile(`${s.dir}/other/c.txt`), "not shared");
  assertEquals(await Deno.readTextFile(`${s.dir}/other/c (2).txt`), "two");
  // Concurrent uploads of one name get distinct names.
  const names = await Promise.all(
    [1, 2, 3, 4].map(async (i) => (await put("same.txt", `${i}`)).name),
  );
  assertEquals(new Set(names).size, 4);
});

Deno.test("dropBox() shows an upload page and nothing of the folder", async () => {
  await using s = await sharingServer();
  const drop = await share(s.server, { path: "/other/", mode: "upload" });
  const [status, page] = await get(drop.url, { headers: { accept: "text/html" } });
  assertEquals(status, 200);
  assertMatch(page, /Drop box/);
  assertOk(!page.includes("c.txt") && !page.includes("other"), "no names");
  for (const path of ["c.txt", "?download=zip", "?q=c", "sub/"]) {
    const [code] = await get(drop.url + path, { headers: { accept: "application/json" } });
    assertEquals(code, path.startsWith("?") ? 200 : 403, path);
  }
  // A query on the page itself still shows only the page.
  const [, withQuery] = await get(drop.url + "?download=zip");
  assertMatch(withQuery, /Drop box/);
  const noSlash = await get(drop.url.slice(0, -1));
  assertEquals([noSlash[0], noSlash[2].get("location")], [301, new URL(drop.url).pathname]);
  const del = await fetch(drop.url + "c.txt", { method: "DELETE" });
  assertEquals(del.status, 405);
  await del.body?.cancel();
});

Deno.test("dropUpload() enforces the share's file and byte limits", async () => {
  await using s = await sharingServer();
  const drop = await share(s.server, {
    path: "/other/",
    mode: "upload",
    maxFiles: 3,
    maxBytes: 10,
  });
  const put = async (name: string, body: string | ReadableStream<Uint8Array>) => {
    const res = await fetch(drop.url + name, { method: "PUT", body });
    await res.body?.cancel();
    return res.status;
  };
  assertEquals(await put("a.txt", "123456"), 201);
  assertEquals(await put("b.txt", "12345"), 413, "declared past the room left");
  const stream = ReadableStream.from([new TextEncoder().encode("12345")]);
  assertEquals(await put("b.txt", stream), 413, "streamed past the room left");
  assertEquals(await put("b.txt", "1234"), 201);
  assertEquals(await put("c.txt", ""), 201);
  assertEquals(await put("d.txt", ""), 403, "no more files");
  const [list] = JSON.parse((await get(s.server.href("/_/api/shares")))[1]);
  assertEquals([list.files, list.bytes], [3, 10]);
  const left = [...Deno.readDirSync(`${s.dir}/other`)].map((e) => e.name).sort();
  assertEquals(left, ["a.txt", "b.txt", "c (1).txt", "c.txt"]);
});

Deno.test("dropUpload() refuses escapes, dot-entries and links out of the drop box", async () => {
  await using s = await sharingServer();
  await Deno.symlink(`${s.dir}/pub`, `${s.dir}/other/out`);
  const drop = await share(s.server, { path: "/other/", mode: "upload" });
  const put = async (path: string) => {
    const res = await fetch(drop.url + path, { method: "PUT", body: "x" });
    await res.body?.cancel();
    return res.status;
  };
  assertEquals(await put("out/x.txt"), 409);
  assertEquals(await put(".hidden"), 400);
  assertEquals(await put("a%2fb.txt"), 400);
  assertEquals(await put("dir/"), 400);
  assertEquals(await put(""), 400);
  using conn = await connectRaw(s.server.url);
  const base = new URL(drop.url).pathname;
  for (const path of [`${base}../x.txt`, `${base}%2e%2e/%2e%2e/x.txt`]) {
    await conn.write(`PUT ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx`);
    assertEquals((await conn.read()).status, 404, path);
  }
  assertEquals([...Deno.readDirSync(`${s.dir}/pub`)].length, 3, "nothing written outside");
  assertOk(!(await Deno.stat(`${s.dir}/x.txt`).catch(() => null)));
  // A read share takes no uploads.
  const read = await share(s.server, { path: "/pub/" });
  const res = await fetch(read.url + "x.txt", { method: "PUT", body: "x" });
  assertEquals(res.status, 405);
  await res.body?.cancel();
});

Deno.test("formatAccessLog() lines show a share's id, never its token", async () => {
  await using s = await sharingServer({ quiet: false });
  let made: Made | undefined;
  const lines = await captureConsole("log", async () => {
    made = await share(s.server, { path: "/pub/" });
    await (await fetch(made.url + "a.txt?x=1")).body?.cancel();
    await (await fetch(s.server.href(`/_/s/${"z".repeat(32)}/a.txt`))).body?.cancel();
  });
  const token = new URL(made!.url).pathname.split("/")[3];
  assertOk(lines.every((line) => !line.includes(token)), lines.join("\n"));
  assertOk(
    lines.some((line) => line.includes(`/_/s/id:${made!.id}/a.txt?x=1 200`)),
    lines.join("\n"),
  );
  assertOk(lines.some((line) => line.includes("/_/s/id:-/a.txt 404")), lines.join("\n"));
});

Deno.test({
  name: "shareLink() works on every instance of a cluster sharing one Redis",
  ignore: !hasRedis(),
  async fn() {
    await using redis = await startRedis();
    await using dir = await tempDir(TREE);
    await using a = startTestServer(
      dir.path,
      { upload: true },
      await RedisStore.connect(redis.url),
    );
    await using b = startTestServer(
      dir.path,
      { upload: true },
      await RedisStore.connect(redis.url),
    );
    const onB = (url: string) => b.href(new URL(url).pathname);
    const made = await share(a, { path: "/pub/" });
    assertEquals((await get(onB(made.url) + "a.txt"))[1], "0123456789");
    // Two instances never hand out one drop-box name twice.
    const drop = await share(a, { path: "/other/", mode: "upload" });
    const names = await Promise.all([a.href(new URL(drop.url).pathname), onB(drop.url)].map(
      async (url) => (await (await fetch(url + "n.txt", { method: "PUT", body: "x" })).json()).name,
    ));
    assertEquals(names.sort(), ["n (1).txt", "n.txt"]);
    // Revoked on one, gone on the other.
    const del = await fetch(b.href(`/_/api/shares/${made.id}`), { method: "DELETE" });
    assertEquals(del.status, 204);
    assertEquals((await get(made.url + "a.txt"))[0], 404);
  },
});
if (!hasRedis()) console.log("skipped the Redis cluster share test: redis-server is not installed");
