import fc from "fast-check";
import { makeEtag, parseEtagList, strongMatch, weakMatch } from "../src/http/etag.ts";
import { assertEquals, assertMatch, assertNotEquals } from "./helpers/assert.ts";

Deno.test("makeEtag() builds a strong, quoted tag from size, mtime and inode", () => {
  const etag = makeEtag({ size: 10, mtime: 1_700_000_000_123, ino: 42 });
  assertMatch(etag, /^"[0-9a-z-]+"$/);
  assertEquals(etag, makeEtag({ size: 10, mtime: 1_700_000_000_123, ino: 42 }));
  assertNotEquals(etag, makeEtag({ size: 11, mtime: 1_700_000_000_123, ino: 42 }));
  assertNotEquals(etag, makeEtag({ size: 10, mtime: 1_700_000_000_124, ino: 42 }));
  assertNotEquals(etag, makeEtag({ size: 10, mtime: 1_700_000_000_123, ino: 43 }));
  assertMatch(makeEtag({ size: 0, mtime: 0, ino: null }), /^"[0-9a-z-]+"$/);
});

Deno.test("makeEtag() property: only etagc characters inside the quotes (§8.8.3)", () => {
  fc.assert(fc.property(
    fc.nat(),
    fc.nat(),
    fc.option(fc.nat()),
    (size, mtime, ino) => {
      // etagc = "!" / %x23-7E / obs-text: no DQUOTE, no space, no controls.
      assertMatch(makeEtag({ size, mtime, ino }), /^"[\x21\x23-\x7e]*"$/);
    },
  ));
});

Deno.test("parseEtagList() reads If-Match / If-None-Match values", async (t) => {
  const rows: [string, ReturnType<typeof parseEtagList>][] = [
    ["*", "*"],
    [" * ", "*"],
    ['"xyzzy"', [{ weak: false, tag: '"xyzzy"' }]],
    ['W/"xyzzy"', [{ weak: true, tag: '"xyzzy"' }]],
    // RFC 9110 §13.1.1 examples.
    ['"xyzzy", "r2d2xxxx", "c3piozzzz"', [
      { weak: false, tag: '"xyzzy"' },
      { weak: false, tag: '"r2d2xxxx"' },
      { weak: false, tag: '"c3piozzzz"' },
    ]],
    ['W/"xyzzy", W/"r2d2xxxx"', [{ weak: true, tag: '"xyzzy"' }, {
      weak: true,
      tag: '"r2d2xxxx"',
    }]],
    ['""', [{ weak: false, tag: '""' }]],
    ["xyzzy", []],
    ["", []],
  ];
  for (const [value, expected] of rows) {
    await t.step(JSON.stringify(value), () => assertEquals(parseEtagList(value), expected));
  }
});

Deno.test("strongMatch() and weakMatch() follow the table of RFC 9110 §8.8.3.2", async (t) => {
  // | ETag 1 | ETag 2 | Strong Comparison | Weak Comparison |
  const rows: [string, string, boolean, boolean][] = [
    ['W/"1"', 'W/"1"', false, true],
    ['W/"1"', 'W/"2"', false, false],
    ['W/"1"', '"1"', false, true],
    ['"1"', '"1"', true, true],
    ['"1"', 'W/"1"', false, true],
    ['"1"', '"2"', false, false],
  ];
  for (const [a, b, strong, weak] of rows) {
    await t.step(`${a} vs ${b}: strong ${strong}, weak ${weak}`, () => {
      const [parsed] = parseEtagList(a) as { weak: boolean; tag: string }[];
      assertEquals(strongMatch(parsed, b), strong);
      assertEquals(weakMatch(parsed, b), weak);
    });
  }
});
