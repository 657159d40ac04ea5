/**
 * WebDAV over real sockets: PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK and
 * the rules Sluice already had (read-only mode, --auth, dotfiles,
 * containment), with bad input answered by precise 4xx.
 */
import { parseXml, type XmlElement } from "../src/dav/xml_reader.ts";
import { parseConfig } from "../src/config/parse_config.ts";
import { SqliteStore } from "../src/state/sqlite_store.ts";
import type { StateStore } from "../src/state/state_store.ts";
import { assertEquals, assertMatch, assertOk } from "./helpers/assert.ts";
import { rawGet, rawRequest } from "./helpers/http_fixtures.ts";
import { denoRunArgs, spawnSluice } from "./helpers/sluice_process.ts";
import { hasRedis, startRedis } from "./helpers/redis_server.ts";
import { RedisStore } from "../src/state/redis_store.ts";
import {
  startStatefulServer,
  startTestServer,
  tempDir,
  type TestServer,
} from "./helpers/server.ts";

const LOCKINFO = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/>' +
  "</D:lockscope><D:locktype><D:write/></D:locktype><D:owner>tester</D:owner></D:lockinfo>";

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function dav(
  server: TestServer,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: BodyInit,
): Promise<Answer> {
  const res = await fetch(server.href(path), { method, headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The `<D:response>`s of a multistatus body, as href → property local name → text. */
function responses(xml: string): Map<string, Map<string, string>> {
  const root = parseXml(xml, { maxBytes: Infinity, maxDepth: 32, maxElements: Infinity });
  const found = new Map<string, Map<string, string>>();
  const elements = (node: XmlElement) =>
    node.children.filter((child): child is XmlElement => typeof child !== "string");
  const text = (node: XmlElement): string =>
    node.children.map((child) =>
      typeof child === "string" ? child : `<${child.local}>${text(child)}`
    ).join("");
  for (const response of elements(root)) {
    const href = text(elements(response).find((e) => e.local === "href")!);
    const props = new Map<string, string>();
    for (const propstat of elements(response).filter((e) => e.local === "propstat")) {
      const status = text(elements(propstat).find((e) => e.local === "status")!);
      for (const prop of elements(elements(propstat).find((e) => e.local === "prop")!)) {
        props.set(prop.local, status.includes(" 200 ") ? text(prop) : status);
      }
    }
    found.set(href, props);
  }
  return found;
}

Deno.test("davOptions() announces DAV 1, 2 and what each path allows", async (t) => {
  await using dir = await tempDir({ "a.txt": "A", "d/x": "x" });
  await t.step("write mode with a state store", async () => {
    await using server = await startStatefulServer(dir.path, { upload: true });
    const file = await dav(server, "OPTIONS", "/a.txt");
    assertEquals([file.status, file.headers.get("dav"), file.headers.get("ms-author-via")], [
      204,
      "1, 2",
      "DAV",
    ]);
    assertEquals(
      file.headers.get("allow"),
      "GET, HEAD, PROPFIND, PUT, DELETE, MOVE, COPY, PROPPATCH, LOCK, UNLOCK, OPTIONS",
    );
    assertEquals(
      (await dav(server, "OPTIONS", "/nope")).headers.get("allow"),
      "PUT, MKCOL, LOCK, OPTIONS",
    );
    assertEquals(
      (await dav(server, "OPTIONS", "/d/")).headers.get("allow"),
      "GET, HEAD, PROPFIND, DELETE, MOVE, COPY, PROPPATCH, LOCK, UNLOCK, OPTIONS",
    );
  });
  await t.step("read-only: class 1, reads only", async () => {
    await using server = startTestServer(dir.path);
    const res = await dav(server, "OPTIONS", "/a.txt");
    assertEquals([res.headers.get("dav"), res.headers.get("allow")], [
      "1",
      "GET, HEAD, PROPFIND, OPTIONS",
    ]);
  });
});

Deno.test("propfind() reports the same validators as GET, for a file and a folder's members", async (t) => {
  await using dir = await tempDir({
    "notes.txt": "0123456789",
    "sub/x y.txt": "xy",
    "sub/ünï.txt": "u",
    "sub/.hidden": "h",
  });
  await using server = await startStatefulServer(dir.path, { upload: true });
  await t.step("Depth: 0 on a file", async () => {
    const get = await fetch(server.href("/notes.txt"));
    await get.body?.cancel();
    const res = await dav(server, "PROPFIND", "/notes.txt", { depth: "0" });
    assertEquals([res.status, res.headers.get("content-type")], [
      207,
      "application/xml; charset=utf-8",
    ]);
    const props = responses(res.text).get("/notes.txt")!;
    assertEquals(props.get("getetag"), get.headers.get("etag"));
    assertEquals(props.get("getcontentlength"), "10");
    assertEquals(props.get("getlastmodified"), get.headers.get("last-modified"));
    assertEquals(props.get("getcontenttype"), get.headers.get("content-type"));
    assertEquals(props.get("resourcetype"), "");
    assertEquals(props.get("displayname"), "notes.txt");
    assertMatch(props.get("supportedlock")!, /exclusive[^]*shared/);
  });
  await t.step(
    "Depth: 1 on a folder without its slash: its members, percent-encoded, no dot-entries",
    async () => {
      const res = await dav(server, "PROPFIND", "/sub", { depth: "1" });
      assertEquals(res.status, 207);
      const found = responses(res.text);
      assertEquals([...found.keys()].sort(), ["/sub/", "/sub/%C3%BCn%C3%AF.txt", "/sub/x%20y.txt"]);
      assertEquals(found.get("/sub/")!.get("resourcetype"), "<collection>");
    },
  );
  await t.step("prop: asked names only, unknown ones 404", async () => {
    const body =
      '<D:propfind xmlns:D="DAV:" xmlns:x="urn:x"><D:prop><D:getcontentlength/><x:nope/>' +
      "</D:prop></D:propfind>";
    const props = responses(
      (await dav(server, "PROPFIND", "/notes.txt", { depth: "0" }, body)).text,
    )
      .get("/notes.txt")!;
    assertEquals([...props.entries()], [["getcontentlength", "10"], [
      "nope",
      "HTTP/1.1 404 Not Found",
    ]]);
  });
  await t.step("propname: names without values", async () => {
    const body = '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>';
    const props = responses(
      (await dav(server, "PROPFIND", "/notes.txt", { depth: "0" }, body)).text,
    )
      .get("/notes.txt")!;
    assertEquals(props.get("getetag"), "");
    assertEquals(props.size, 9);
  });
  await t.step("Depth: infinity and a missing Depth → 403 propfind-finite-depth", async () => {
    for (const headers of [{ depth: "infinity" }, {}] as Record<string, string>[]) {
      const res = await dav(server, "PROPFIND", "/", headers);
      assertEquals(res.status, 403);
      assertMatch(res.text, /<D:propfind-finite-depth\/>/);
    }
  });
  await t.step("a hidden or missing path → 404", async () => {
    assertEquals((await dav(server, "PROPFIND", "/sub/.hidden", { depth: "0" })).status, 404);
    assertEquals((await dav(server, "PROPFIND", "/nope", { depth: "0" })).status, 404);
  });
});

Deno.test("propfind() streams a folder of 5,000 files as one well-formed body", async () => {
  await using dir = await tempDir();
  for (let i = 0; i < 5000; i++) Deno.writeTextFileSync(`${dir.path}/f${i}.txt`, "x");
  await using server = startTestServer(dir.path);
  const res = await fetch(server.href("/"), { method: "PROPFIND", headers: { depth: "1" } });
  assertEquals([res.status, res.headers.get("content-length")], [207, null]);
  const found = responses(await res.text());
  assertEquals(found.size, 5001);
  assertEquals(found.get("/f4999.txt")!.get("getcontentlength"), "1");
});

Deno.test("readXmlBody() answers bad XML bodies with 400 or 413 and a reason, never 500", async (t) => {
  await using dir = await tempDir({ "a.txt": "A" });
  await using server = await startStatefulServer(dir.path, { upload: true });
  const cases: [string, string, string, number, RegExp][] = [
    [
      "XXE",
      "PROPFIND",
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><D:propfind xmlns:D="DAV:">&x;</D:propfind>',
      400,
      /DTD/,
    ],
    [
      "billion laughs",
      "PROPPATCH",
      '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>',
      400,
      /DTD/,
    ],
    ["malformed", "PROPFIND", '<D:propfind xmlns:D="DAV:"><D:prop>', 400, /Malformed XML/],
    ["not UTF-8", "PROPFIND", "<a>\xff</a>", 400, /./],
    ["deep nesting", "PROPFIND", "<a>".repeat(100) + "</a>".repeat(100), 400, /nested too deeply/],
    ["over 1 MiB", "PROPPATCH", "<a>" + "x".repeat(1024 * 1024) + "</a>", 413, /too large/],
    ["the wrong root", "PROPFIND", '<D:lockinfo xmlns:D="DAV:"/>', 400, /DAV:propfind/],
    ["an empty PROPPATCH", "PROPPATCH", "", 400, /DAV:propertyupdate/],
    ["a LOCK with no scope", "LOCK", '<D:lockinfo xmlns:D="DAV:"/>', 400, /lockscope/],
  ];
  for (const [name, method, body, status, reason] of cases) {
    await t.step(`${name} (${method}) → ${status}`, async () => {
      const bytes = name === "not UTF-8"
        ? new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])
        : body;
      const res = await dav(server, method, "/a.txt", { depth: "0" }, bytes);
      assertEquals(res.status, status, res.text);
      assertMatch(res.text, reason);
    });
  }
});

Deno.test("proppatch() keeps dead properties atomically; they follow COPY and MOVE and go with DELETE", async (t) => {
  await using dir = await tempDir({ "a.txt": "A" });
  await using state = await tempDir();
  const set = (inner: string) =>
    `<D:propertyupdate xmlns:D="DAV:" xmlns:x="urn:x"><D:set><D:prop>${inner}</D:prop></D:set></D:propertyupdate>`;
  const color = async (server: TestServer, path: string) => {
    const body =
      '<D:propfind xmlns:D="DAV:" xmlns:x="urn:x"><D:prop><x:color/></D:prop></D:propfind>';
    return responses((await dav(server, "PROPFIND", path, { depth: "0" }, body)).text).get(path)
      ?.get("color");
  };
  {
    await using server = await startStatefulServer(dir.path, { upload: true }, state.path);
    await t.step("set a value with markup → 200, kept exactly", async () => {
      const res = await dav(
        server,
        "PROPPATCH",
        "/a.txt",
        {},
        set('<x:color>red <x:b x:w="1">!</x:b></x:color>'),
      );
      assertEquals(res.status, 207);
      assertMatch(res.text, /<color xmlns="urn:x"\/><\/D:prop><D:status>HTTP\/1.1 200 OK/);
      assertEquals(await color(server, "/a.txt"), "red <b>!");
    });
    await t.step(
      "a DAV: property in the same request → 403, the rest 424, nothing changes",
      async () => {
        const res = await dav(
          server,
          "PROPPATCH",
          "/a.txt",
          {},
          set("<x:color>blue</x:color><D:getetag>x</D:getetag>"),
        );
        assertMatch(res.text, /<D:getetag\/><\/D:prop><D:status>HTTP\/1.1 403 Forbidden/);
        assertMatch(
          res.text,
          /<color xmlns="urn:x"\/><\/D:prop><D:status>HTTP\/1.1 424 Failed Dependency/,
        );
        assertEquals(await color(server, "/a.txt"), "red <b>!");
      },
    );
  }
  await using server = await startStatefulServer(dir.path, { upload: true }, state.path);
  await t.step("after a restart the property is still there", async () => {
    assertEquals(await color(server, "/a.txt"), "red <b>!");
  });
  await t.step("COPY copies it, MOVE takes it along, DELETE removes it", async () => {
    assertEquals((await dav(server, "COPY", "/a.txt", { destination: "/b.txt" })).status, 201);
    assertEquals(await color(server, "/b.txt"), "red <b>!");
    assertEquals((await dav(server, "MOVE", "/b.txt", { destination: "/c.txt" })).status, 201);
    assertEquals(await color(server, "/c.txt"), "red <b>!");
    assertEquals((await dav(server, "DELETE", "/c.txt")).status, 204);
    assertEquals((await dav(server, "PUT", "/c.txt", {}, "new")).status, 201);
    assertEquals(await color(server, "/c.txt"), "HTTP/1.1 404 Not Found");
  });
});

Deno.test("mkcol() creates one folder: 201, 405, 409, 415", async () => {
  await using dir = await tempDir({ "a.txt": "A" });
  await using server = await startStatefulServer(dir.path, { upload: true });
  const res = await dav(server, "MKCOL", "/new%20dir/");
  assertEquals([res.status, res.headers.get("location")], [201, "/new%20dir/"]);
  assertEquals(Deno.statSync(`${dir.path}/new dir`).isDirectory, true);
  assertEquals((await dav(server, "MKCOL", "/new%20dir/")).status, 405);
  assertEquals((await dav(server, "MKCOL", "/a.txt")).status, 405);
  assertEquals((await dav(server, "MKCOL", "/no/parent/")).status, 409);
  assertEquals(
    (await dav(server, "MKCOL", "/withbody", { "content-type": "text/plain" }, "x")).status,
    415,
  );
  assertEquals((await dav(server, "MKCOL", "/.hidden")).status, 400);
});

Deno.test("copyEntry() copies files and folders with Depth and Overwrite (RFC 4918 §9.8)", async (t) => {
  await using dir = await tempDir({
    "a.txt": "A",
    "d/x.txt": "x",
    "d/e/y.txt": "y",
    "t/old.txt": "old",
  });
  await using server = await startStatefulServer(dir.path, { upload: true });
  await t.step("a file → 201 with Location", async () => {
    const res = await dav(server, "COPY", "/a.txt", { destination: server.href("/n%C3%A9w.txt") });
    assertEquals([res.status, res.headers.get("location")], [201, "/n%C3%A9w.txt"]);
    assertEquals(Deno.readTextFileSync(`${dir.path}/néw.txt`), "A");
  });
  await t.step("onto an existing file without Overwrite: T → 412", async () => {
    assertEquals((await dav(server, "COPY", "/a.txt", { destination: "/néw.txt" })).status, 412);
    assertEquals(
      (await dav(server, "COPY", "/a.txt", { destination: "/néw.txt", overwrite: "F" })).status,
      412,
    );
  });
  await t.step("a folder with Depth: 0 → the folder alone", async () => {
    assertEquals(
      (await dav(server, "COPY", "/d/", { destination: "/d0/", depth: "0" })).status,
      201,
    );
    assertEquals([...Deno.readDirSync(`${dir.path}/d0`)], []);
  });
  await t.step("a folder with Depth: 1 → 400", async () => {
    assertEquals(
      (await dav(server, "COPY", "/d/", { destination: "/d1/", depth: "1" })).status,
      400,
    );
  });
  await t.step("a folder over a folder with Overwrite: T → 204, replaced whole", async () => {
    assertEquals(
      (await dav(server, "COPY", "/d/", { destination: "/t/", overwrite: "T" })).status,
      204,
    );
    assertEquals(Deno.readTextFileSync(`${dir.path}/t/e/y.txt`), "y");
    assertEquals(Deno.statSync(`${dir.path}/t/x.txt`).isFile, true);
    let old = true;
    try {
      Deno.statSync(`${dir.path}/t/old.txt`);
    } catch {
      old = false;
    }
    assertEquals(old, false);
  });
  await t.step("into itself, onto itself, out of this server → 403, 403, 400", async () => {
    assertEquals((await dav(server, "COPY", "/d/", { destination: "/d/in/" })).status, 403);
    assertEquals((await dav(server, "COPY", "/a.txt", { destination: "/a.txt" })).status, 403);
    const up = await dav(server, "COPY", "/d/e/", { destination: "/d/", overwrite: "T" });
    assertEquals(up.status, 403);
    assertEquals(Deno.readTextFileSync(`${dir.path}/d/e/y.txt`), "y");
    assertEquals(
      (await dav(server, "COPY", "/a.txt", { destination: "http://elsewhere/a" })).status,
      400,
    );
    assertEquals(
      (await dav(server, "COPY", "/a.txt", { destination: "/%2e%2e/%2e%2e/a2.txt" })).status,
      201,
    );
    assertEquals(Deno.readTextFileSync(`${dir.path}/a2.txt`), "A");
  });
});

Deno.test("lock() makes writes need the token (423 otherwise), and locks survive a restart", async (t) => {
  await using dir = await tempDir({ "a.txt": "A", "d/x.txt": "x" });
  await using state = await tempDir();
  let token = "";
  {
    await using server = await startStatefulServer(dir.path, { upload: true }, state.path);
    await t.step("LOCK → 200 with Lock-Token and lockdiscovery", async () => {
      const res = await dav(server, "LOCK", "/a.txt", { timeout: "Second-600" }, LOCKINFO);
      assertEquals(res.status, 200);
      token = /^<(.+)>$/.exec(res.headers.get("lock-token")!)![1];
      assertMatch(res.text, /<D:owner>tester<\/D:owner>/);
      assertMatch(res.text, /<D:timeout>Second-600<\/D:timeout>/);
    });
    await t.step("a second exclusive LOCK → 423 no-conflicting-lock", async () => {
      const res = await dav(server, "LOCK", "/a.txt", {}, LOCKINFO);
      assertEquals(res.status, 423);
      assertMatch(res.text, /<D:no-conflicting-lock><D:href>\/a.txt<\/D:href>/);
    });
  }
  await using server = await startStatefulServer(dir.path, { upload: true }, state.path);
  await t.step(
    "after a restart: PUT, DELETE, MOVE, PROPPATCH without the token → 423 lock-token-submitted",
    async () => {
      for (
        const [method, headers, body] of [
          ["PUT", {}, "B"],
          ["DELETE", {}, undefined],
          ["MOVE", { destination: "/b.txt" }, undefined],
          [
            "PROPPATCH",
            {},
            '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><z xmlns="urn:z">1</z></D:prop></D:set></D:propertyupdate>',
          ],
        ] as const
      ) {
        const res = await dav(server, method, "/a.txt", headers, body);
        assertEquals(res.status, 423, method);
        assertMatch(res.text, /<D:lock-token-submitted><D:href>\/a.txt<\/D:href>/);
      }
      assertEquals(Deno.readTextFileSync(`${dir.path}/a.txt`), "A");
    },
  );
  await t.step(
    "with the token in If → allowed; a wrong ETag with it → 412; a malformed If → 400",
    async () => {
      assertEquals((await dav(server, "PUT", "/a.txt", { if: `(<${token}>)` }, "B")).status, 204);
      assertEquals(
        (await dav(server, "PUT", "/a.txt", { if: `(<${token}> ["stale"])` }, "C")).status,
        412,
      );
      assertEquals((await dav(server, "PUT", "/a.txt", { if: `(<${token}>` }, "C")).status, 400);
      assertEquals(Deno.readTextFileSync(`${dir.path}/a.txt`), "B");
    },
  );
  await t.step(
    "UNLOCK with a wrong token → 409; with the right one → 204, then writes are free",
    async () => {
      assertEquals(
        (await dav(server, "UNLOCK", "/a.txt", { "lock-token": "<urn:uuid:nope>" })).status,
        409,
      );
      assertEquals(
        (await dav(server, "UNLOCK", "/a.txt", { "lock-token": `<${token}>` })).status,
        204,
      );
      assertEquals((await dav(server, "PUT", "/a.txt", {}, "D")).status, 204);
    },
  );
  await t.step(
    "a depth-infinity lock on a folder guards new members; LOCK of an unmapped URL creates it",
    async () => {
      const res = await dav(server, "LOCK", "/d/", {}, LOCKINFO);
      const folderToken = /^<(.+)>$/.exec(res.headers.get("lock-token")!)![1];
      assertMatch(res.text, /<D:depth>infinity<\/D:depth>[^]*<D:lockroot><D:href>\/d\/<\/D:href>/);
      assertEquals((await dav(server, "PUT", "/d/new.txt", {}, "n")).status, 423);
      assertEquals(
        (await dav(server, "PUT", "/d/new.txt", { if: `(<${folderToken}>)` }, "n")).status,
        201,
      );
      const unmapped = await dav(server, "LOCK", "/fresh.txt", {}, LOCKINFO);
      assertEquals(unmapped.status, 201);
      assertEquals(Deno.readTextFileSync(`${dir.path}/fresh.txt`), "");
    },
  );
});

/** A way to open stores that share their records, as instances of one cluster do. */
interface SharedStore {
  open(): Promise<StateStore>;
  dispose(): Promise<void>;
}

async function sharedSqlite(): Promise<SharedStore> {
  const state = await Deno.makeTempDir({ prefix: "sluice-state-" });
  return {
    open: () => Promise.resolve(new SqliteStore(`${state}/state.db`)),
    dispose: () => Deno.remove(state, { recursive: true }),
  };
}

async function sharedRedis(): Promise<SharedStore> {
  const redis = await startRedis();
  return { open: () => RedisStore.connect(redis.url), dispose: () => redis.stop() };
}

Deno.test("lock() holds across two instances sharing one state store", async (t) => {
  await using dir = await tempDir({ "a.txt": "A" });
  const backends: [string, () => Promise<SharedStore>][] = [["SQLite", sharedSqlite]];
  if (hasRedis()) backends.push(["Redis", sharedRedis]);
  else console.log("dav_server_test: redis-server is not installed; the Redis case is skipped");
  for (const [name, make] of backends) {
    await t.step(name, async () => {
      const shared = await make();
      try {
        await using one = startTestServer(dir.path, { upload: true }, await shared.open());
        await using two = startTestServer(dir.path, { upload: true }, await shared.open());
        const res = await dav(one, "LOCK", "/a.txt", {}, LOCKINFO);
        assertEquals(res.status, 200);
        const token = res.headers.get("lock-token")!;
        assertEquals((await dav(two, "PUT", "/a.txt", {}, "B")).status, 423);
        assertEquals((await dav(two, "LOCK", "/a.txt", {}, LOCKINFO)).status, 423);
        assertEquals((await dav(two, "UNLOCK", "/a.txt", { "lock-token": token })).status, 204);
        assertEquals((await dav(one, "PUT", "/a.txt", {}, "C")).status, 204);
      } finally {
        await shared.dispose();
      }
    });
  }
});

Deno.test("WebDAV keeps Sluice's rules: read-only mode, ro users, dotfiles, Finder metadata", async (t) => {
  await using dir = await tempDir({ "a.txt": "A", ".secret": "s" });
  await t.step("read-only: PROPFIND works without a state store, writes are 405", async () => {
    await using server = startTestServer(dir.path);
    assertEquals((await dav(server, "PROPFIND", "/", { depth: "1" })).status, 207);
    for (const method of ["MKCOL", "COPY", "PROPPATCH", "LOCK", "UNLOCK"]) {
      const res = await dav(server, method, "/a.txt", { destination: "/b.txt" });
      assertEquals(
        [res.status, res.headers.get("allow")],
        [405, "GET, HEAD, PROPFIND, OPTIONS"],
        method,
      );
    }
  });
  await t.step("--auth: a ro user may PROPFIND, not write; anonymous gets 401", async () => {
    await using server = await startStatefulServer(dir.path, {
      upload: true,
      auth: parseConfig(["--auth", "ro:pw:ro", "--auth", "rw:pw"]).auth,
    });
    const basic = (user: string) => ({ authorization: `Basic ${btoa(`${user}:pw`)}`, depth: "0" });
    assertEquals((await dav(server, "PROPFIND", "/a.txt", basic("ro"))).status, 207);
    assertEquals((await dav(server, "PROPFIND", "/a.txt", { depth: "0" })).status, 401);
    for (const method of ["MKCOL", "COPY", "PROPPATCH", "LOCK", "UNLOCK", "MOVE"]) {
      assertEquals((await dav(server, method, "/x", basic("ro"))).status, 403, method);
    }
    assertEquals((await dav(server, "MKCOL", "/x", basic("rw"))).status, 201);
  });
  await t.step(
    "dot-entries stay hidden and unwritable; Finder's ._ and .DS_Store are dropped",
    async () => {
      await using server = await startStatefulServer(dir.path, { upload: true });
      assertEquals((await dav(server, "PROPFIND", "/.secret", { depth: "0" })).status, 404);
      assertEquals(
        (await dav(server, "COPY", "/.secret", { destination: "/visible" })).status,
        404,
      );
      assertEquals((await dav(server, "COPY", "/a.txt", { destination: "/.a" })).status, 400);
      assertEquals((await dav(server, "MKCOL", "/.git")).status, 400);
      assertEquals((await dav(server, "PUT", "/._a.txt", {}, "apple double")).status, 201);
      assertEquals((await dav(server, "PUT", "/.DS_Store", {}, "layout")).status, 201);
      const names = [...Deno.readDirSync(dir.path)].map((e) => e.name);
      assertEquals(names.filter((name) => name.startsWith(".")), [".secret"]);
    },
  );
  await t.step("with --dotfiles, Finder metadata is stored like any file", async () => {
    await using server = await startStatefulServer(dir.path, { upload: true, dotfiles: true });
    assertEquals((await dav(server, "PUT", "/._a.txt", {}, "apple double")).status, 201);
    assertEquals(Deno.readTextFileSync(`${dir.path}/._a.txt`), "apple double");
  });
  await t.step("a request URI with a fragment never deletes the folder", async () => {
    await using server = await startStatefulServer(dir.path, { upload: true });
    Deno.mkdirSync(`${dir.path}/frag`);
    // fetch() drops fragments before sending: raw TCP sends it as litmus does.
    const res = await rawRequest(
      Number(new URL(server.href("/")).port),
      rawGet("/frag/#ment", "DELETE"),
    );
    assertEquals(res.status, 400);
    assertOk(Deno.statSync(`${dir.path}/frag`).isDirectory);
  });
});

Deno.test("--dav-strict: RFC 4918 parents for PUT and MOVE too", async () => {
  await using dir = await tempDir({ "d/e/x.txt": "x", "a.txt": "A" });
  await using server = await startStatefulServer(dir.path, { upload: true, davStrict: true });
  assertEquals((await dav(server, "PUT", "/no/such/file.txt", {}, "x")).status, 409);
  assertEquals((await dav(server, "COPY", "/a.txt", { destination: "/no/a.txt" })).status, 409);
  assertEquals((await dav(server, "MOVE", "/a.txt", { destination: "/no/a.txt" })).status, 409);
  assertEquals((await dav(server, "DELETE", "/d/")).status, 204);
  assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name), ["a.txt"]);
});

Deno.test("deleteEntry() and copy() by default: folders go with their contents, COPY needs a parent", async () => {
  await using dir = await tempDir({ "d/e/x.txt": "x", "f/y.txt": "y", "a.txt": "A" });
  await using server = await startStatefulServer(dir.path, { upload: true });
  assertEquals((await dav(server, "COPY", "/a.txt", { destination: "/no/a.txt" })).status, 409);
  assertEquals((await dav(server, "DELETE", "/d/", { depth: "0" })).status, 409);
  assertEquals((await dav(server, "DELETE", "/d/")).status, 204);
  assertEquals((await dav(server, "DELETE", "/f/", { depth: "infinity" })).status, 204);
  assertEquals((await dav(server, "PUT", "/made/on/the/way.txt", {}, "x")).status, 201);
  assertEquals([...Deno.readDirSync(dir.path)].map((e) => e.name).sort(), ["a.txt", "made"]);
});

Deno.test("propfind() answers for 50,000 files from a Sluice whose V8 heap is capped at 24 MiB", async () => {
  await using dir = await tempDir();
  const body = new TextEncoder().encode("x");
  for (let i = 0; i < 50_000; i++) Deno.writeFileSync(`${dir.path}/file-${i}.txt`, body);
  // The answer is 37 MB of XML. Holding it would not fit the heap, nor would reading every
  // name at once (readDirSync: 20 MB for 50,000) on top of the 10–12 MiB Sluice starts with.
  await using sluice = await spawnSluice({
    command: Deno.execPath(),
    args: denoRunArgs(
      ["--allow-read", "--allow-net", "--allow-env", "--v8-flags=--max-old-space-size=24"],
      [dir.path, "--port", "0", "--quiet"],
    ),
  });
  const res = await fetch(sluice.href("/"), { method: "PROPFIND", headers: { depth: "1" } });
  assertEquals(res.status, 207);
  let count = 0;
  let tail = "";
  for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
    const text = tail + chunk;
    count += text.match(/<D:response>/g)?.length ?? 0;
    tail = text.slice(-12);
    // Keep a partial tag (never a whole one) for the next chunk.
    if (tail.includes("<D:response>")) tail = tail.slice(tail.lastIndexOf("<D:response>") + 1);
  }
  assertEquals(count, 50_001);
});

Deno.test("propfind() lists NFC and NFD names each as stored, and each href finds its file", async () => {
  const nfc = "caf\u00e9.txt";
  const nfd = "cafe\u0301.txt";
  await using dir = await tempDir({ [nfc]: "composed", [nfd]: "decomposed", "a b+c%.txt": "odd" });
  await using server = startTestServer(dir.path);
  const res = await dav(server, "PROPFIND", "/", { depth: "1" });
  const hrefs = [...responses(res.text).keys()].sort();
  assertEquals(hrefs, ["/", "/a%20b%2Bc%25.txt", "/caf%C3%A9.txt", "/cafe%CC%81.txt"]);
  for (const [href, text] of [["/caf%C3%A9.txt", "composed"], ["/cafe%CC%81.txt", "decomposed"]]) {
    assertEquals(await (await fetch(server.href(href))).text(), text);
  }
  const names = responses(res.text);
  assertEquals(names.get("/cafe%CC%81.txt")!.get("displayname"), nfd);
});

Deno.test("FileStore.stat() finds a name sent in the other Unicode normal form", async (t) => {
  await using dir = await tempDir({
    "na\u00efve.txt": "composed only",
    "deco\u0301.txt": "decomposed only",
  });
  await using server = startTestServer(dir.path);
  const cases: [string, string, string][] = [
    ["NFD request, NFC on disk", encodeURIComponent("nai\u0308ve.txt"), "composed only"],
    ["NFC request, NFD on disk", encodeURIComponent("dec\u00f3.txt"), "decomposed only"],
  ];
  for (const [name, path, text] of cases) {
    await t.step(name, async () => {
      assertEquals(await (await fetch(server.href(`/${path}`))).text(), text);
      assertEquals((await dav(server, "PROPFIND", `/${path}`, { depth: "0" })).status, 207);
    });
  }
  const missing = await fetch(server.href("/missing-\u00e9.txt"));
  await missing.body?.cancel();
  assertEquals(missing.status, 404);
});
