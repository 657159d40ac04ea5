import fc from "fast-check";
import { type ByteRange, coalesce, parseRange, type RangeResult } from "../src/http/range.ts";
import { assertEquals, assertOk } from "./helpers/assert.ts";

const ranges = (...pairs: [number, number][]): RangeResult => ({
  type: "ranges",
  ranges: pairs.map(([start, end]) => ({ start, end })),
});
const IGNORE: RangeResult = { type: "ignore" };
const UNSATISFIABLE: RangeResult = { type: "unsatisfiable" };

/** [header, size, expected]; expectations come from the text of RFC 9110 §14. */
type Row = [string | null, number, RangeResult];

async function table(t: Deno.TestContext, rows: Row[]): Promise<void> {
  for (const [header, size, expected] of rows) {
    const shown = JSON.stringify(header);
    const name = shown.length > 70 ? `${shown.slice(0, 60)}…" (${shown.length} chars)` : shown;
    await t.step(`${name} of ${size} bytes`, () => {
      assertEquals(parseRange(header, size), expected);
    });
  }
}

Deno.test("parseRange() reads the examples of RFC 9110 §14.1.2 for 10000 bytes", async (t) => {
  await table(t, [
    // "The first 500 bytes"
    ["bytes=0-499", 10000, ranges([0, 499])],
    // "The second 500 bytes"
    ["bytes=500-999", 10000, ranges([500, 999])],
    // "The final 500 bytes" — both spellings
    ["bytes=-500", 10000, ranges([9500, 9999])],
    ["bytes=9500-", 10000, ranges([9500, 9999])],
    // "The first and last bytes only"
    ["bytes=0-0,-1", 10000, ranges([0, 0], [9999, 9999])],
    // "Other valid (but not canonical) specifications of the second 500 bytes"
    ["bytes=500-600,601-999", 10000, ranges([500, 999])],
    ["bytes=500-700,601-999", 10000, ranges([500, 999])],
  ]);
});

Deno.test("parseRange() clamps a last-pos past the end (§14.1.1)", async (t) => {
  await table(t, [
    ["bytes=0-9", 10, ranges([0, 9])],
    ["bytes=0-10", 10, ranges([0, 9])],
    ["bytes=5-99999999999999999999", 10, ranges([5, 9])],
    ["bytes=9-", 10, ranges([9, 9])],
  ]);
});

Deno.test("parseRange() takes a suffix longer than the file as the whole file (§14.1.1)", async (t) => {
  await table(t, [
    ["bytes=-3", 10, ranges([7, 9])],
    ["bytes=-10", 10, ranges([0, 9])],
    ["bytes=-11", 10, ranges([0, 9])],
    ["bytes=-99999999999", 1, ranges([0, 0])],
  ]);
});

Deno.test("parseRange() reports an unsatisfiable byte-range-set (§14.1.1, §15.5.17)", async (t) => {
  await table(t, [
    // No first-pos below the length and no non-zero suffix.
    ["bytes=10-", 10, UNSATISFIABLE],
    ["bytes=10-20", 10, UNSATISFIABLE],
    ["bytes=-0", 10, UNSATISFIABLE],
    ["bytes=10-,20-30,-0", 10, UNSATISFIABLE],
    // One satisfiable member is enough; the others are dropped.
    ["bytes=20-30,0-1", 10, ranges([0, 1])],
  ]);
});

Deno.test("parseRange() ignores invalid syntax and unknown units (§14.2)", async (t) => {
  await table(t, [
    [null, 10, IGNORE],
    ["", 10, IGNORE],
    ["bytes", 10, IGNORE],
    ["bytes=", 10, IGNORE],
    ["bytes=,", 10, IGNORE],
    ["bytes=-", 10, IGNORE],
    ["bytes=abc", 10, IGNORE],
    ["bytes=1-2-3", 10, IGNORE],
    ["bytes=1.5-2", 10, IGNORE],
    ["bytes=0x1-2", 10, IGNORE],
    ["bytes=--1", 10, IGNORE],
    ["bytes=+1-2", 10, IGNORE],
    ["bytes=1 - 2", 10, IGNORE],
    // "A range-spec is invalid if ... last-pos ... is less than the first-pos"
    ["bytes=5-4", 10, IGNORE],
    ["bytes=0-1,5-4", 10, IGNORE],
    // One bad member spoils the whole set.
    ["bytes=0-1,x", 10, IGNORE],
    ["items=0-1", 10, IGNORE],
    ["none", 10, IGNORE],
    ["0-1", 10, IGNORE],
  ]);
});

Deno.test("parseRange() tolerates whitespace, empty list elements and unit case (§5.6.1, §14.1)", async (t) => {
  await table(t, [
    ["bytes=0-1, 4-5", 10, ranges([0, 1], [4, 5])],
    ["bytes=0-1 ,\t4-5", 10, ranges([0, 1], [4, 5])],
    ["bytes=,0-1,,4-5,", 10, ranges([0, 1], [4, 5])],
    ["bytes= 0-1", 10, ranges([0, 1])],
    ["Bytes=0-1", 10, ranges([0, 1])],
    ["BYTES=-2", 10, ranges([8, 9])],
  ]);
});

Deno.test("parseRange() answers ranges on an empty file without a 206", async (t) => {
  await table(t, [
    // first-pos 0 is not below the length 0: unsatisfiable (416 bytes */0).
    ["bytes=0-", 0, UNSATISFIABLE],
    ["bytes=0-0", 0, UNSATISFIABLE],
    ["bytes=-0", 0, UNSATISFIABLE],
    // A non-zero suffix is satisfiable, but no Content-Range can describe
    // zero bytes: the (empty) full representation is sent instead.
    ["bytes=-5", 0, IGNORE],
  ]);
});

Deno.test("parseRange() sorts and coalesces overlapping and adjacent ranges", async (t) => {
  await table(t, [
    ["bytes=6-7,0-1", 10, ranges([0, 1], [6, 7])],
    ["bytes=0-1,2-3", 10, ranges([0, 3])],
    ["bytes=0-4,3-6", 10, ranges([0, 6])],
    ["bytes=-2,0-0", 10, ranges([0, 0], [8, 9])],
    ["bytes=7-,-3", 10, ranges([7, 9])],
  ]);
});

Deno.test("parseRange() refuses to amplify: too many ranges or more bytes than the file", async (t) => {
  const disjoint = (n: number) =>
    "bytes=" + Array.from({ length: n }, (_, i) => `${i * 2}-${i * 2}`).join(",");
  await table(t, [
    [
      disjoint(16),
      100,
      ranges(...Array.from({ length: 16 }, (_, i) => [i * 2, i * 2] as [number, number])),
    ],
    [disjoint(17), 100, IGNORE],
    // 6 + 6 + 2 requested bytes of a 10-byte file: sent once as a 200.
    ["bytes=0-5,0-5,8-9", 10, IGNORE],
    // Overlaps that coalesce to one range are harmless.
    ["bytes=0-,0-,0-", 10, ranges([0, 9])],
    ["bytes=" + "0-0,".repeat(2000) + "5-5", 10, IGNORE],
  ]);
});

Deno.test("coalesce() merges touching ranges and leaves gaps alone", () => {
  const input: ByteRange[] = [{ start: 10, end: 12 }, { start: 0, end: 2 }, { start: 3, end: 4 }, {
    start: 6,
    end: 6,
  }, { start: 11, end: 20 }];
  assertEquals(coalesce(input), [{ start: 0, end: 4 }, { start: 6, end: 6 }, {
    start: 10,
    end: 20,
  }]);
  assertEquals(input[0], { start: 10, end: 12 }, "the input is not modified");
});

/** A random byte-range-spec: `a-b`, `a-` or `-n`, numbers sometimes past the end. */
const spec = fc.oneof(
  fc.tuple(fc.nat(300), fc.nat(300)).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
  fc.nat(300).map((a) => `${a}-`),
  fc.nat(300).map((n) => `-${n}`),
);

/** The bytes a spec asks for in a file of `size` bytes (the RFC's reading). */
function covered(specText: string, size: number): number[] {
  const [a, b] = specText.split("-");
  let start: number;
  let end: number;
  if (a === "") {
    start = Math.max(0, size - Number(b));
    end = Number(b) === 0 ? -1 : size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  }
  return Array.from({ length: Math.max(0, end - start + 1) }, (_, i) => start + i);
}

Deno.test("parseRange() property: every range satisfies 0 <= start <= end < size, sorted and apart", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.array(spec, { minLength: 1, maxLength: 20 }),
      (size, specs) => {
        const result = parseRange("bytes=" + specs.join(","), size);
        if (result.type !== "ranges") return;
        assertOk(result.ranges.length >= 1 && result.ranges.length <= 16);
        let previousEnd = -2;
        for (const { start, end } of result.ranges) {
          assertOk(0 <= start && start <= end && end < size, `${start}-${end} of ${size}`);
          assertOk(start > previousEnd + 1, "sorted, not overlapping, not adjacent");
          previousEnd = end;
        }
      },
    ),
  );
});

Deno.test("parseRange() property: ranges cover exactly the requested bytes, unsatisfiable only when none", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.array(spec, { minLength: 1, maxLength: 20 }),
      (size, specs) => {
        const wanted = new Set(specs.flatMap((s) => covered(s, size)));
        const result = parseRange("bytes=" + specs.join(","), size);
        if (result.type === "unsatisfiable") {
          assertEquals(wanted.size, 0);
        } else if (result.type === "ranges") {
          const got = result.ranges.flatMap(({ start, end }) =>
            Array.from({ length: end - start + 1 }, (_, i) => start + i)
          );
          assertEquals(got, [...wanted].sort((x, y) => x - y));
        } else {
          // Ignored only to avoid amplification: too many ranges, or a multipart
          // body asking for more bytes than the file holds.
          const sorted = [...wanted].sort((x, y) => x - y);
          const runs = sorted.filter((byte, i) => i === 0 || byte !== sorted[i - 1] + 1).length;
          const requested = specs.reduce((sum, s) => sum + covered(s, size).length, 0);
          assertOk(runs > 16 || (runs > 1 && requested > size), `ignored ${specs} of ${size}`);
        }
      },
    ),
  );
});

Deno.test("parseRange() property: a suffix at least as long as the file is the whole file", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e12 }), fc.nat(1e6), (size, extra) => {
    assertEquals(parseRange(`bytes=-${size + extra}`, size), ranges([0, size - 1]));
  }));
});

Deno.test("parseRange() property: any header text yields a result without throwing", () => {
  fc.assert(fc.property(fc.string({ maxLength: 60 }), fc.nat(1000), (text, size) => {
    const result = parseRange("bytes=" + text, size);
    assertOk(["ignore", "unsatisfiable", "ranges"].includes(result.type));
  }));
});
