import { assertEquals, assertOk } from "./helpers/assert.ts";
import { rawGet, rawRequest } from "./helpers/http_fixtures.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

const SECRET = "TOP-SECRET-OUTSIDE-ROOT";

/** outer/secret.txt beside outer/root/{a.txt, dir/b.txt} and symlinks in and out of root. */
async function escapeFixture() {
  const outer = await tempDir({
    "secret.txt": SECRET,
    "root/a.txt": "a",
    "root/dir/b.txt": "b",
  });
  const root = `${outer.path}/root`;
  await Deno.symlink(`${outer.path}/secret.txt`, `${root}/out-link`);
  await Deno.symlink(outer.path, `${root}/out-dir`);
  await Deno.symlink("../secret.txt", `${root}/relative-out`);
  await Deno.symlink("/etc/passwd", `${root}/passwd`);
  await Deno.symlink(`${root}/a.txt`, `${root}/in-link`);
  await Deno.symlink("dir", `${root}/in-dir`);
  return { outer, root };
}

Deno.test("serveFiles() over raw TCP: no request target climbs out of ROOT", async (t) => {
  const { outer, root } = await escapeFixture();
  await using _outer = outer;
  await using server = startTestServer(root);
  const cases: [string, number, string?][] = [
    ["/../secret.txt", 404],
    ["/../../etc/passwd", 404],
    ["/../../../../../../etc/passwd", 404],
    ["/%2e%2e/%2e%2e/etc/passwd", 404],
    ["/%2e%2e/secret.txt", 404],
    ["/%2E%2E/secret.txt", 404],
    ["/.%2e/secret.txt", 404],
    ["/dir/%2e%2e/a.txt", 200, "a"],
    ["/dir/../../secret.txt", 404],
    ["/..%2fsecret.txt", 400],
    ["/%2e%2e%2fsecret.txt", 400],
    ["/dir%2f..%2f..%2fsecret.txt", 400],
    ["/..%5csecret.txt", 400],
    ["/%5c..%5csecret.txt", 400],
    ["/..\\secret.txt", 404],
    ["/..\\..\\etc\\passwd", 404],
    ["/dir\\b.txt", 200, "b"],
    ["/%252e%252e/secret.txt", 404],
    ["/%252e%252e%252fsecret.txt", 404],
    ["/%25252e%25252e/secret.txt", 404],
    ["/a.txt%00", 400],
    ["/%00/../secret.txt", 404],
    ["/a%00.txt", 400],
    ["/%zz", 400],
    ["/a%", 400],
    ["/%e", 400],
    ["/%C0%AE%C0%AE/secret.txt", 400],
    ["/%FF", 400],
    ["http://localhost/../secret.txt", 404],
    ["/a.txt", 200, "a"],
  ];
  for (const [target, status, body] of cases) {
    await t.step(`${target} → ${status}`, async () => {
      const res = await rawRequest(server.port, rawGet(target));
      assertEquals(res.status, status, res.head);
      assertOk(!res.body.includes(SECRET) && !res.body.includes("root:"), "no outside bytes");
      if (body !== undefined) assertEquals(res.body, body);
    });
  }
});

Deno.test("serveFiles() answers 404 for symlinks leading outside ROOT and follows those inside", async (t) => {
  const { outer, root } = await escapeFixture();
  await using _outer = outer;
  await using server = startTestServer(root);
  const cases: [string, number, string?][] = [
    ["/out-link", 404],
    ["/relative-out", 404],
    ["/passwd", 404],
    ["/out-dir/", 404],
    ["/out-dir/secret.txt", 404],
    // Through an outside link back into ROOT: the real path is inside.
    ["/out-dir/root/a.txt", 200, "a"],
    ["/in-link", 200, "a"],
    ["/in-dir/b.txt", 200, "b"],
  ];
  for (const [path, status, body] of cases) {
    await t.step(`${path} → ${status}`, async () => {
      const res = await fetch(server.href(path));
      const text = await res.text();
      assertEquals(res.status, status);
      assertOk(!text.includes(SECRET));
      if (body !== undefined) assertEquals(text, body);
    });
  }
  await t.step("the listing leaves out links that lead outside", async () => {
    const res = await fetch(server.href("/"), { headers: { accept: "application/json" } });
    const names = (await res.json()).map((e: { name: string }) => e.name);
    assertEquals(names, ["dir", "in-dir", "a.txt", "in-link"]);
  });
});

Deno.test("serveFiles() never redirects a directory to another host", async (t) => {
  await using dir = await tempDir({ "evil.example/a.txt": "a" });
  await using server = startTestServer(dir.path);
  for (
    const target of ["//evil.example", "///evil.example", "/\\evil.example", "//evil.example?x=1"]
  ) {
    await t.step(target, async () => {
      const res = await rawRequest(server.port, rawGet(target));
      assertEquals(res.status, 301, res.head);
      const location = /^location: (.*)$/im.exec(res.head)?.[1];
      const query = target.includes("?") ? "?x=1" : "";
      assertEquals(location, `/evil.example/${query}`);
    });
  }
});

Deno.test("startServer() answers malformed requests with 400 and keeps serving", async (t) => {
  await using dir = await tempDir({ "a.txt": "a" });
  await using server = startTestServer(dir.path);
  const cases: [string, string][] = [
    ["garbage line", "GARBAGE\r\n\r\n"],
    ["method only", "GET\r\n\r\n"],
    ["no version", "GET /a.txt\r\n\r\n"],
    ["raw NUL in the target", "GET /a\0.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["raw space in the target", "GET /a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["asterisk-form GET", "GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["relative target", "GET a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"],
    ["header without a colon", "GET /a.txt HTTP/1.1\r\nHost x\r\nConnection: close\r\n\r\n"],
    [
      "bad Content-Length",
      "GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n",
    ],
  ];
  for (const [label, request] of cases) {
    await t.step(label, async () => {
      const res = await rawRequest(server.port, request);
      assertEquals(res.status, 400, res.head);
    });
  }
  await t.step("a huge request target is refused without a 500", async () => {
    // Hyper may also reset the connection while the target is still being sent (status 0).
    const res = await rawRequest(server.port, rawGet("/" + "a".repeat(200_000)));
    assertOk(res.status === 0 || (res.status >= 400 && res.status < 500), res.head);
  });
  await t.step("still serving", async () => {
    const res = await fetch(server.href("/a.txt"));
    assertEquals([res.status, await res.text()], [200, "a"]);
  });
});

Deno.test("createApp() answers 400 to a Host header that is not a host, never a 500 or another path", async (t) => {
  await using dir = await tempDir({ "f.txt": "root f", "sub/deep/f.txt": "deep f" });
  await using server = startTestServer(dir.path);
  const get = (host: string) =>
    rawRequest(server.port, `GET /f.txt HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  for (const host of ["a b", "x/sub/deep", "x#", "x?y", "[::1", "x:99999", "x%2f", "a\\b"]) {
    await t.step(JSON.stringify(host), async () => {
      const res = await get(host);
      assertEquals(res.status, 400, res.head);
      assertEquals(res.body, "Invalid Host header\n");
    });
  }
  for (
    const host of [
      "localhost",
      "example.com:8080",
      "[::1]:80",
      "127.0.0.1",
      "xn--bcher-kva.example",
    ]
  ) {
    await t.step(`${host} is fine`, async () => {
      const res = await get(host);
      assertEquals([res.status, res.body], [200, "root f"]);
    });
  }
});
