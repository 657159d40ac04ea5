import {
  parseDepth,
  parseDestination,
  parseLockToken,
  parseOverwrite,
  parseTimeout,
} from "../src/dav/dav_headers.ts";
import {
  activeLockXml,
  blockingLock,
  conflictingLock,
  covers,
  type DavLock,
  isBelow,
  pathKey,
} from "../src/dav/lock_model.ts";
import { propKey } from "../src/dav/prop_store.ts";
import { HttpError } from "../src/http/http_error.ts";
import { assertEquals, assertMatch, assertThrows } from "./helpers/assert.ts";

const NOW = 1_000_000;

function lock(path: string, fields: Partial<DavLock> = {}): DavLock {
  return {
    token: `urn:uuid:${path || "root"}`,
    path,
    depth: "infinity",
    scope: "exclusive",
    collection: false,
    owner: "",
    timeoutSeconds: 60,
    expiresAt: NOW + 60_000,
    principal: null,
    ...fields,
  };
}

Deno.test("pathKey() and propKey() give folders a prefix no sibling shares", () => {
  assertEquals(pathKey([]), "");
  assertEquals(pathKey(["a", "b c"]), "/a/b c");
  assertEquals(propKey([]), "dav:prop:");
  assertEquals(propKey(["a"]), "dav:prop://a");
  assertEquals(propKey(["a", "b"]), "dav:prop:/a//b");
  // Members of /a start with `dav:prop:/a//`; /ab's do not.
  assertEquals(propKey(["ab", "x"]).startsWith("dav:prop:/a//"), false);
  assertEquals(isBelow("/a/b", "/a"), true);
  assertEquals(isBelow("/ab", "/a"), false);
  assertEquals(isBelow("/a", "/a"), false);
  assertEquals(isBelow("/a", ""), true);
});

Deno.test("covers() follows the lock's depth", async (t) => {
  const cases: [string, DavLock, string, boolean][] = [
    ["its own root", lock("/a", { depth: "0" }), "/a", true],
    ["a member, depth 0", lock("/a", { depth: "0" }), "/a/b", false],
    ["a member, depth infinity", lock("/a"), "/a/b/c", true],
    ["a sibling with a longer name", lock("/a"), "/ab", false],
    ["the parent", lock("/a/b"), "/a", false],
  ];
  for (const [name, given, path, expected] of cases) {
    await t.step(`${name} → ${expected}`, () => assertEquals(covers(given, path), expected));
  }
});

Deno.test("conflictingLock() lets shared locks share and nothing else", async (t) => {
  const shared = lock("/a", { scope: "shared" });
  const cases: [string, DavLock[], Parameters<typeof conflictingLock>[1], DavLock | null][] = [
    ["no locks", [], { path: "/a", depth: "0", scope: "exclusive" }, null],
    ["shared on shared", [shared], { path: "/a", depth: "0", scope: "shared" }, null],
    ["exclusive on shared", [shared], { path: "/a", depth: "0", scope: "exclusive" }, shared],
    ["shared below an infinity exclusive", [lock("/a")], {
      path: "/a/b",
      depth: "0",
      scope: "shared",
    }, lock("/a")],
    ["infinity over a lock below", [lock("/a/b")], {
      path: "/a",
      depth: "infinity",
      scope: "shared",
    }, lock("/a/b")],
    [
      "depth 0 over a lock below",
      [lock("/a/b")],
      { path: "/a", depth: "0", scope: "exclusive" },
      null,
    ],
    ["an expired lock", [lock("/a", { expiresAt: NOW })], {
      path: "/a",
      depth: "0",
      scope: "exclusive",
    }, null],
  ];
  for (const [name, locks, request, expected] of cases) {
    await t.step(name, () => assertEquals(conflictingLock(locks, request, NOW), expected));
  }
});

Deno.test("blockingLock() needs a submitted token of its owner for every locked scope", async (t) => {
  const a = lock("/a");
  const b = lock("/x/b", { depth: "0", principal: "ann" });
  const locks = [a, b];
  const cases: [
    string,
    Parameters<typeof blockingLock>[1],
    string[],
    string | null,
    DavLock | null,
  ][] = [
    ["unlocked path", [{ path: "/y", members: false }], [], null, null],
    ["locked, no token", [{ path: "/a/f", members: false }], [], null, a],
    ["locked, token given", [{ path: "/a/f", members: false }], [a.token], null, null],
    ["a member's lock, for DELETE of the folder", [{ path: "/x", members: true }], [], null, b],
    [
      "a member's lock, token of its owner",
      [{ path: "/x", members: true }],
      [b.token],
      "ann",
      null,
    ],
    [
      "a member's lock, token from someone else",
      [{ path: "/x", members: true }],
      [b.token],
      "bob",
      b,
    ],
    [
      "a member's lock, not reached without members",
      [{ path: "/x", members: false }],
      [],
      null,
      null,
    ],
  ];
  for (const [name, scopes, tokens, principal, expected] of cases) {
    await t.step(name, () => {
      assertEquals(blockingLock(locks, scopes, new Set(tokens), principal, NOW), expected);
    });
  }
});

Deno.test("activeLockXml() reports the time left, token and root", () => {
  const xml = activeLockXml(lock("/a", { owner: "me" }), "/a", NOW + 30_500);
  assertMatch(xml, /<D:timeout>Second-30<\/D:timeout>/);
  assertMatch(xml, /<D:locktoken><D:href>urn:uuid:\/a<\/D:href><\/D:locktoken>/);
  assertMatch(xml, /<D:owner>me<\/D:owner>/);
  assertMatch(xml, /<D:lockroot><D:href>\/a<\/D:href><\/D:lockroot>/);
});

Deno.test("parseDepth() takes the values allowed, infinity when absent", async (t) => {
  const cases: [string | null, "0" | "1" | "infinity" | 400][] = [
    [null, "infinity"],
    ["0", "0"],
    ["1", "1"],
    ["Infinity", "infinity"],
    [" 1 ", "1"],
    ["2", 400],
    ["", 400],
  ];
  for (const [value, expected] of cases) {
    await t.step(`${JSON.stringify(value)} → ${expected}`, () => {
      if (expected === 400) {
        assertThrows(() => parseDepth(value, ["0", "1", "infinity"]), HttpError);
      } else assertEquals(parseDepth(value, ["0", "1", "infinity"]), expected);
    });
  }
  assertThrows(() => parseDepth("1", ["0", "infinity"]), HttpError);
});

Deno.test("parseOverwrite() reads T and F, absent as null", () => {
  assertEquals([parseOverwrite("T"), parseOverwrite("f"), parseOverwrite(null)], [
    true,
    false,
    null,
  ]);
  assertThrows(() => parseOverwrite("yes"), HttpError);
});

Deno.test("parseTimeout() takes the first understood entry, capped at a week", async (t) => {
  const cases: [string | null, number][] = [
    [null, 3600],
    ["Second-60", 60],
    ["Infinite, Second-60", 604_800],
    ["Second-99999999999", 604_800],
    ["Bogus, Second-5", 5],
    ["Second-0", 1],
    ["nonsense", 3600],
  ];
  for (const [value, expected] of cases) {
    await t.step(`${value} → ${expected}`, () => assertEquals(parseTimeout(value), expected));
  }
});

Deno.test("parseLockToken() wants one Coded-URL", () => {
  assertEquals(parseLockToken(" <urn:uuid:1> "), "urn:uuid:1");
  for (const bad of [null, "urn:uuid:1", "<>", "<a b>"]) {
    assertThrows(() => parseLockToken(bad), HttpError);
  }
});

Deno.test("parseDestination() accepts this server only, and no reserved path", async (t) => {
  const url = new URL("http://h:8/a/b");
  await t.step("a path, decoded", () => {
    assertEquals(parseDestination("/x%20y/", url), { segments: ["x y"], trailingSlash: true });
  });
  await t.step("an absolute URL on this server", () => {
    assertEquals(parseDestination("http://h:8/c", url).segments, ["c"]);
  });
  for (
    const bad of [
      null,
      "http://other/c",
      "https://h:8/c",
      "http://u:p@h:8/c",
      "/_/x",
      "/%5f/x",
      "http://[x",
    ]
  ) {
    await t.step(`${bad} → 400`, () => assertThrows(() => parseDestination(bad, url), HttpError));
  }
});
