import { createHash } from "node:crypto";
import { authenticate, parseBasicAuth, passwordMatches } from "../src/auth/basic_auth.ts";
import { authorize, WWW_AUTHENTICATE } from "../src/auth/authorize.ts";
import { parseConfig } from "../src/config/parse_config.ts";
import { HttpError } from "../src/http/http_error.ts";
import { assertEquals, assertThrows } from "./helpers/assert.ts";
import { startTestServer, tempDir } from "./helpers/server.ts";

const basic = (user: string, password: string) =>
  "Basic " + btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)));
const sha256Hex = (s: string) => createHash("sha256").update(s).digest("hex");

Deno.test("parseBasicAuth() reads RFC 7617 credentials", async (t) => {
  const cases: [string | null, { user: string; password: string } | null][] = [
    ["Basic YWxpY2U6c2VjcmV0", { user: "alice", password: "secret" }],
    ["basic   YWxpY2U6c2VjcmV0", { user: "alice", password: "secret" }],
    [basic("bob", "a:b:c"), { user: "bob", password: "a:b:c" }],
    [basic("zoë", "pässword"), { user: "zoë", password: "pässword" }],
    [basic("", ""), { user: "", password: "" }],
    ["Basic " + btoa("no-colon"), null],
    ["Basic !!!", null],
    ["Basic " + btoa("\xff\xfe:x"), null], // not UTF-8
    ["Bearer abc", null],
    [null, null],
  ];
  for (const [header, expected] of cases) {
    await t.step(String(header), () => assertEquals(parseBasicAuth(header), expected));
  }
});

Deno.test("passwordMatches() compares plain and sha256: passwords", () => {
  assertEquals(passwordMatches("secret", "secret"), true);
  assertEquals(passwordMatches("secret", "secret "), false);
  assertEquals(passwordMatches("secret", ""), false);
  assertEquals(passwordMatches(`sha256:${sha256Hex("hunter2")}`, "hunter2"), true);
  assertEquals(passwordMatches(`sha256:${sha256Hex("hunter2").toUpperCase()}`, "hunter2"), true);
  assertEquals(passwordMatches(`sha256:${sha256Hex("hunter2")}`, "hunter3"), false);
  // The hash itself is not a password.
  assertEquals(passwordMatches(`sha256:${sha256Hex("x")}`, `sha256:${sha256Hex("x")}`), false);
});

Deno.test("authenticate() finds the user only with the right password", () => {
  const users = parseConfig(["--auth", "ann:pw:ro", "--auth", "rob:pw2"]).auth;
  assertEquals(authenticate(users, { user: "ann", password: "pw" })?.access, "ro");
  assertEquals(authenticate(users, { user: "rob", password: "pw2" })?.access, "rw");
  assertEquals(authenticate(users, { user: "ann", password: "pw2" }), null);
  assertEquals(authenticate(users, { user: "eve", password: "pw" }), null);
});

Deno.test("authorize() lets everyone through when no --auth is given", () => {
  const rules = { auth: [], anonymousRead: false };
  assertEquals(authorize(rules, { method: "PUT", pathname: "/a", authorization: null }), null);
});

Deno.test("authorize() answers 401 with a Basic challenge", () => {
  const rules = { auth: parseConfig(["--auth", "ann:pw"]).auth, anonymousRead: false };
  const error = (() => {
    try {
      authorize(rules, { method: "GET", pathname: "/a", authorization: null });
    } catch (e) {
      return e as HttpError;
    }
  })();
  assertEquals(error?.status, 401);
  assertEquals(new Headers(error?.headers).get("www-authenticate"), WWW_AUTHENTICATE);
  assertThrows(
    () => authorize(rules, { method: "GET", pathname: "/a", authorization: basic("ann", "x") }),
    HttpError,
  );
});

/** Status codes for anonymous / ro / rw / wrong password × GET / PUT / DELETE. */
async function matrix(server: { href(path: string): string }, path: string) {
  const who: [string, string | null][] = [
    ["anonymous", null],
    ["ro", basic("reader", "r-pass")],
    ["rw", basic("writer", "w-pass")],
    ["wrong", basic("writer", "nope")],
  ];
  const result: Record<string, number[]> = {};
  for (const [name, authorization] of who) {
    result[name] = [];
    for (const method of ["GET", "PUT", "DELETE"]) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const res = await fetch(server.href(`${path}-${name}-${method}`.replace(/-GET$/, "")), {
        method,
        headers,
        body: method === "PUT" ? "data" : null,
      });
      await res.body?.cancel();
      if (res.status === 401) {
        assertEquals(res.headers.get("www-authenticate"), WWW_AUTHENTICATE);
      }
      result[name].push(res.status);
    }
  }
  return result;
}

Deno.test("createApp() enforces the auth matrix for ro and rw users", async () => {
  await using dir = await tempDir();
  for (const name of ["anonymous", "ro", "rw", "wrong"]) {
    await Deno.writeTextFile(`${dir.path}/f-${name}`, "x");
    await Deno.writeTextFile(`${dir.path}/f-${name}-DELETE`, "x");
  }
  await using server = startTestServer(dir.path, {
    upload: true,
    auth: parseConfig([
      "--auth",
      `reader:sha256:${sha256Hex("r-pass")}:ro`,
      "--auth",
      "writer:w-pass:rw",
    ]).auth,
  });
  assertEquals(await matrix(server, "/f"), {
    //         GET  PUT  DELETE
    anonymous: [401, 401, 401],
    ro: [200, 403, 403],
    rw: [200, 201, 204],
    wrong: [401, 401, 401],
  });
});

Deno.test("createApp() lets anonymous clients read with --anonymous-read", async () => {
  await using dir = await tempDir();
  for (const name of ["anonymous", "ro", "rw", "wrong"]) {
    await Deno.writeTextFile(`${dir.path}/f-${name}`, "x");
    await Deno.writeTextFile(`${dir.path}/f-${name}-DELETE`, "x");
  }
  await using server = startTestServer(dir.path, {
    upload: true,
    anonymousRead: true,
    auth: parseConfig(["--auth", "reader:r-pass:ro", "--auth", "writer:w-pass"]).auth,
  });
  assertEquals(await matrix(server, "/f"), {
    anonymous: [200, 401, 401],
    ro: [200, 403, 403],
    rw: [200, 201, 204],
    wrong: [401, 401, 401],
  });
});

Deno.test("createApp() guards /_/ endpoints but keeps /_/health public", async () => {
  await using dir = await tempDir();
  await using server = startTestServer(dir.path, {
    auth: parseConfig(["--auth", "ann:pw:ro"]).auth,
  });
  const status = async (path: string, headers: HeadersInit = {}) => {
    const res = await fetch(server.href(path), { headers });
    await res.body?.cancel();
    return res.status;
  };
  assertEquals(await status("/_/health"), 200);
  assertEquals(await status("/_/metrics"), 401);
  assertEquals(await status("/_/metrics", { authorization: basic("ann", "pw") }), 200);
  assertEquals(await status("/_/no-such-endpoint"), 401);
  const preflight = await fetch(server.href("/"), { method: "OPTIONS" });
  await preflight.body?.cancel();
  assertEquals(preflight.status, 204);
});

Deno.test("createApp() treats the POST streaming demos as reads, not writes", async (t) => {
  await using dir = await tempDir();
  const collect = async (
    server: { href(path: string): string },
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(server.href("/_/api/collect"), {
      method: "POST",
      headers,
      body: '{"text":"hi"}\n',
    });
    await res.body?.cancel();
    return res.status;
  };
  await t.step("a read-only user may POST to /_/api/collect", async () => {
    await using server = startTestServer(dir.path, {
      auth: parseConfig(["--auth", "ann:pw:ro"]).auth,
    });
    assertEquals(await collect(server, { authorization: basic("ann", "pw") }), 200);
    assertEquals(await collect(server), 401);
  });
  await t.step("anonymous clients may with --anonymous-read", async () => {
    await using server = startTestServer(dir.path, {
      auth: parseConfig(["--auth", "ann:pw:ro"]).auth,
      anonymousRead: true,
    });
    assertEquals(await collect(server), 200);
  });
});
