import fc from "fast-check";
import { parseConfig } from "../src/config/parse_config.ts";
import { FileCache } from "../src/fs/file_cache.ts";
import type { FileInfo } from "../src/fs/file_store.ts";
import {
  CONTENT_CODINGS,
  type ContentCoding,
  negotiateEncoding,
  parseAcceptEncoding,
} from "../src/http/accept_encoding.ts";
import { codedEtag, isCompressible } from "../src/http/compression_policy.ts";
import { assertEquals, assertOk } from "./helpers/assert.ts";

Deno.test("parseAcceptEncoding() reads members, weights and aliases (RFC 9110 §12.5.3)", async (t) => {
  const rows: [string, { coding: string; q: number }[]][] = [
    ["gzip", [{ coding: "gzip", q: 1 }]],
    ["GZIP, Br", [{ coding: "gzip", q: 1 }, { coding: "br", q: 1 }]],
    ["gzip;q=0.5, br;q=0", [{ coding: "gzip", q: 0.5 }, { coding: "br", q: 0 }]],
    ["gzip ; Q=0.25", [{ coding: "gzip", q: 0.25 }]],
    ["x-gzip", [{ coding: "gzip", q: 1 }]],
    ["*;q=0.1, identity", [{ coding: "*", q: 0.1 }, { coding: "identity", q: 1 }]],
    ["", []],
    [" , ,gzip,, ", [{ coding: "gzip", q: 1 }]],
    ["gzip;q=1.0, br;q=0.", [{ coding: "gzip", q: 1 }, { coding: "br", q: 0 }]],
    // Invalid weights drop their member only: above 1, four decimals, not a number.
    ["gzip;q=2, br", [{ coding: "br", q: 1 }]],
    ["gzip;q=0.1234, zstd", [{ coding: "zstd", q: 1 }]],
    ["gzip;q=abc", []],
    ["gzip;q=", []],
    // Not a token.
    ["gz ip, br", [{ coding: "br", q: 1 }]],
    ["gzip;level=9", [{ coding: "gzip", q: 1 }]],
  ];
  for (const [header, expected] of rows) {
    await t.step(JSON.stringify(header), () => assertEquals(parseAcceptEncoding(header), expected));
  }
});

Deno.test("negotiateEncoding() picks by q-value, then server order, else identity", async (t) => {
  const all = CONTENT_CODINGS;
  const rows: [string | null, readonly ContentCoding[], ContentCoding | null][] = [
    [null, all, null],
    ["", all, null],
    ["identity", all, null],
    ["gzip", all, "gzip"],
    ["gzip, deflate, br, zstd", all, "br"],
    ["gzip, zstd", all, "zstd"],
    ["gzip, br", ["gzip"], "gzip"],
    ["br", ["gzip"], null],
    ["gzip;q=1, br;q=0.5", all, "gzip"],
    ["gzip;q=0.5", all, "gzip"],
    ["gzip;q=0", all, null],
    ["*", all, "br"],
    ["*;q=0.5, gzip", all, "gzip"],
    ["*, br;q=0", ["br", "gzip"], "gzip"],
    ["gzip;q=0.5, identity", all, null],
    ["gzip, identity;q=0.5", all, "gzip"],
    ["gzip, *;q=0", all, "gzip"],
    ["br, *;q=0", ["gzip"], null],
    ["x-gzip", all, "gzip"],
    ["gzip;q=0, gzip;q=0.8", all, "gzip"],
    ["deflate, compress", all, null],
    ["gzip", [], null],
  ];
  for (const [header, available, expected] of rows) {
    await t.step(`${JSON.stringify(header)} of ${available.join(",")}`, () => {
      assertEquals(negotiateEncoding(header, available), expected);
    });
  }
});

const codingName = fc.constantFrom("gzip", "br", "zstd", "deflate", "identity", "*", "x-gzip");
const member = fc.record({
  coding: codingName,
  q: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
});
const header = fc.array(member, { maxLength: 6 }).map((members) =>
  members.map(({ coding, q }) => q === undefined ? coding : `${coding};q=${q / 1000}`)
    .join(", ")
);
const availableList = fc.subarray([...CONTENT_CODINGS]);

Deno.test("negotiateEncoding() only ever chooses an available coding the client weights highest", () => {
  fc.assert(
    fc.property(header, availableList, (value, available) => {
      const chosen = negotiateEncoding(value, available);
      if (chosen === null) return;
      assertOk(available.includes(chosen));
      const members = parseAcceptEncoding(value);
      const q = (c: string) => {
        const own = members.filter((m) => m.coding === c);
        const star = members.filter((m) => m.coding === "*");
        const pick = own.length > 0 ? own : star;
        return pick.length === 0 ? 0 : Math.max(...pick.map((m) => m.q));
      };
      assertOk(q(chosen) > 0, `${chosen} acceptable in ${value}`);
      assertOk(q(chosen) >= q("identity"), `${chosen} not below identity in ${value}`);
      for (const other of available) assertOk(q(other) <= q(chosen), `${other} in ${value}`);
    }),
  );
});

Deno.test("negotiateEncoding() does not depend on the order of the client's members", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(member, { selector: (m) => m.coding, maxLength: 6 }),
      availableList,
      (members, available) => {
        const text = (list: typeof members) =>
          list.map(({ coding, q }) => q === undefined ? coding : `${coding};q=${q / 1000}`)
            .join(", ");
        // x-gzip names gzip: keep one spelling so members stay distinct.
        const distinct = members.filter((m) => m.coding !== "x-gzip");
        assertEquals(
          negotiateEncoding(text(distinct), available),
          negotiateEncoding(text([...distinct].reverse()), available),
        );
      },
    ),
  );
});

Deno.test("parseAcceptEncoding() never throws and keeps weights in [0, 1]", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), (value) => {
      for (const { q } of parseAcceptEncoding(value)) assertOk(q >= 0 && q <= 1);
    }),
  );
});

Deno.test("isCompressible() takes text-like types and leaves compressed and live ones", async (t) => {
  const rows: [string, boolean][] = [
    ["text/plain; charset=utf-8", true],
    ["text/html; charset=utf-8", true],
    ["text/css", true],
    ["text/javascript; charset=utf-8", true],
    ["application/json; charset=utf-8", true],
    ["application/ld+json", true],
    ["application/xml", true],
    ["application/atom+xml", true],
    ["application/wasm", true],
    ["image/svg+xml", true],
    ["text/event-stream; charset=utf-8", false],
    ["application/jsonp", false],
    ["video/mp4", false],
    ["audio/mpeg", false],
    ["image/png", false],
    ["application/zip", false],
    ["application/gzip", false],
    ["font/woff2", false],
    ["application/octet-stream", false],
  ];
  for (const [type, expected] of rows) {
    await t.step(type, () => assertEquals(isCompressible(type), expected));
  }
});

Deno.test("codedEtag() suffixes the coding inside the quotes, weak staying weak", () => {
  assertEquals(codedEtag('"1k-6a"', "gzip"), '"1k-6a-gzip"');
  assertEquals(codedEtag('W/"1k-6a"', "br"), 'W/"1k-6a-br"');
});

Deno.test("parseConfig() turns compression off with --no-compress or SLUICE_NO_COMPRESS", async (t) => {
  const rows: [string[], Record<string, string>, boolean][] = [
    [[], {}, true],
    [["--no-compress"], {}, false],
    [[], { SLUICE_NO_COMPRESS: "1" }, false],
    [[], { SLUICE_NO_COMPRESS: "off" }, true],
  ];
  for (const [argv, env, expected] of rows) {
    await t.step(`${argv.join(" ")} ${JSON.stringify(env)}`, () => {
      assertEquals(parseConfig(argv, env).compress, expected);
    });
  }
});

Deno.test("FileCache.addCoded() charges coded bytes to the bound and evicts for them", () => {
  const cache = new FileCache(1024, 3100);
  const info: FileInfo = {
    path: "/x",
    isDirectory: false,
    isFile: true,
    size: 0,
    mtime: 0,
    ino: 1,
  };
  const entry = (size: number) => ({
    name: "x",
    info,
    bytes: new Uint8Array(size),
    headers: {},
    negotiable: true,
    siblings: {},
    coded: {},
  });
  const a = entry(1000);
  const b = entry(1000);
  cache.set("/a", a);
  cache.set("/b", b);
  assertEquals(cache.size, 2);
  // 2 × (512 + 1000) = 3024 fits; 900 more do not: the older entry goes.
  cache.addCoded("/b", b, "gzip", { bytes: new Uint8Array(900), headers: {}, source: null });
  assertEquals(cache.get("/a"), undefined);
  assertEquals(cache.get("/b"), b);
  // A replaced variant is charged only its difference, and deleting frees all of it.
  cache.addCoded("/b", b, "gzip", { bytes: new Uint8Array(10), headers: {}, source: null });
  cache.set("/a", a);
  assertEquals(cache.size, 2);
});
