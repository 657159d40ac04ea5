import { corsHeaders, preflightHeaders, requestedHeaderNames } from "../src/http/cors.ts";
import { assertEquals } from "./helpers/assert.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

Deno.test("requestedHeaderNames() keeps only valid field names", async (t) => {
  const cases: [string | null, string[] | null][] = [
    [null, null],
    ["", null],
    ["Range", ["range"]],
    ["Range, If-Match,range", ["range", "if-match"]],
    ["x-ok, bad header, x\u00e9, (bad), x-fine", ["x-ok", "x-fine"]],
    [" , ,", null],
  ];
  for (const [requested, expected] of cases) {
    await t.step(JSON.stringify(requested), () => {
      assertEquals(requestedHeaderNames(requested), expected);
    });
  }
  const many = Array.from({ length: 100 }, (_, i) => `x-h${i}`).join(",");
  assertEquals(requestedHeaderNames(many)?.length, 64);
});

Deno.test("corsHeaders() answers only the configured origin, with credentials", () => {
  // Other origins (or none) get no CORS headers, but the answer still varies by Origin.
  assertEquals(corsHeaders("https://a.example", "https://b.example"), [["vary", "Origin"]]);
  assertEquals(corsHeaders("https://a.example", null), [["vary", "Origin"]]);
  const headers = new Map(corsHeaders("https://a.example", "https://a.example"));
  assertEquals(headers.get("access-control-allow-origin"), "https://a.example");
  assertEquals(headers.get("access-control-allow-credentials"), "true");
  assertEquals(headers.get("vary"), "Origin");
  const any = new Map(corsHeaders("*", null));
  assertEquals(any.get("access-control-allow-origin"), "*");
  assertEquals(any.has("access-control-allow-credentials"), false);
});

Deno.test("preflightHeaders() falls back to a default list", () => {
  const headers = new Map(preflightHeaders(["GET", "HEAD", "OPTIONS"], null));
  assertEquals(headers.get("access-control-allow-methods"), "GET, HEAD, OPTIONS");
  assertEquals(headers.get("access-control-allow-headers")?.includes("Range"), true);
});

async function preflight(url: string, method: string, requestHeaders?: string) {
  const headers: Record<string, string> = {
    origin: "https://app.example",
    "access-control-request-method": method,
  };
  if (requestHeaders) headers["access-control-request-headers"] = requestHeaders;
  const res = await fetch(url, { method: "OPTIONS", headers });
  await res.body?.cancel();
  return res;
}

Deno.test("createApp() answers CORS preflights with the methods in use", async (t) => {
  await using dir = await tempDir({ "clip.mp4": "0123456789" });

  await t.step("read-only server", async () => {
    await using server = startTestServer(dir.path, { cors: "*" });
    const res = await preflight(server.href("/clip.mp4"), "GET", "Range, If-None-Match");
    assertEquals(res.status, 204);
    assertEquals(res.headers.get("access-control-allow-origin"), "*");
    assertEquals(res.headers.get("access-control-allow-methods"), "GET, HEAD, PROPFIND, OPTIONS");
    assertEquals(res.headers.get("access-control-allow-headers"), "range, if-none-match");
    assertEquals(res.headers.get("access-control-max-age"), "600");
  });

  await t.step("with --upload and one origin, behind --auth", async () => {
    await using server = startTestServer(dir.path, {
      cors: "https://app.example",
      upload: true,
      auth: [{ user: "u", password: "p", access: "rw" }],
    });
    const res = await preflight(server.href("/new.txt"), "PUT", "Authorization, Content-Digest");
    assertEquals(res.status, 204); // preflights carry no credentials
    assertEquals(res.headers.get("access-control-allow-origin"), "https://app.example");
    assertEquals(res.headers.get("access-control-allow-credentials"), "true");
    assertEquals(
      res.headers.get("access-control-allow-methods"),
      "GET, HEAD, PROPFIND, PUT, DELETE, MOVE, COPY, MKCOL, PROPPATCH, LOCK, UNLOCK, OPTIONS",
    );
    assertEquals(res.headers.get("access-control-allow-headers"), "authorization, content-digest");
    const other = await fetch(server.href("/"), {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "PUT" },
    });
    await other.body?.cancel();
    assertEquals(other.headers.get("access-control-allow-origin"), null);
  });
});

Deno.test("createApp() exposes range and validator headers to cross-origin reads", async () => {
  await using dir = await tempDir({ "clip.mp4": "0123456789" });
  await using server = startTestServer(dir.path, { cors: "*" });
  const res = await fetch(server.href("/clip.mp4"), {
    headers: { origin: "https://app.example", range: "bytes=2-4" },
  });
  assertEquals(await res.text(), "234");
  assertEquals(res.headers.get("access-control-allow-origin"), "*");
  const exposed = res.headers.get("access-control-expose-headers")!.split(/,\s*/);
  for (const name of ["Content-Range", "Accept-Ranges", "ETag", "Content-Length"]) {
    assertEquals(exposed.includes(name), true, name);
  }
});

Deno.test("createApp() with one origin adds Vary: Origin to every answer, keeping Vary: Accept and Accept-Encoding", async () => {
  await using dir = await tempDir({ "a.txt": "x" });
  await using server = startTestServer(dir.path, { cors: "https://app.example" });
  const plain = await fetch(server.href("/a.txt"));
  await plain.body?.cancel();
  assertEquals(plain.headers.get("vary"), "Origin");
  assertEquals(plain.headers.get("access-control-allow-origin"), null);
  const listing = await fetch(server.href("/"), { headers: { origin: "https://app.example" } });
  await listing.body?.cancel();
  assertEquals(listing.headers.get("vary"), "Accept, Accept-Encoding, Origin");
  assertEquals(listing.headers.get("access-control-allow-origin"), "https://app.example");
});

Deno.test("createApp() sends no CORS headers without --cors", async () => {
  await using dir = await tempDir({ "a.txt": "x" });
  await using server = startTestServer(dir.path);
  const res = await preflight(server.href("/a.txt"), "GET");
  assertEquals(res.headers.get("access-control-allow-origin"), null);
  assertEquals(res.headers.get("access-control-allow-methods"), null);
});
