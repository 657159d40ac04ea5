import {
  evaluatePreconditions,
  ifRangeAllows,
  type PreconditionResult,
  type Validators,
} from "../src/http/preconditions.ts";
import { assertEquals } from "./helpers/assert.ts";

/** The representation: Last-Modified is 12:00:00 (plus 400 ms the header cannot show). */
const CURRENT: Validators = {
  etag: '"abc"',
  lastModified: Date.UTC(2024, 0, 10, 12, 0, 0) + 400,
};
const AT = "Wed, 10 Jan 2024 12:00:00 GMT";
const BEFORE = "Wed, 10 Jan 2024 11:59:59 GMT";
const AFTER = "Wed, 10 Jan 2024 12:00:01 GMT";

type Row = [
  label: string,
  method: string,
  headers: Record<string, string>,
  expected: PreconditionResult,
  current?: Validators | null,
];

async function table(t: Deno.TestContext, rows: Row[]): Promise<void> {
  for (const [label, method, headers, expected, current = CURRENT] of rows) {
    await t.step(`${method} ${label} → ${expected}`, () => {
      assertEquals(evaluatePreconditions(method, new Headers(headers), current), expected);
    });
  }
}

Deno.test("evaluatePreconditions() proceeds without conditional headers", async (t) => {
  await table(t, [
    ["no conditions", "GET", {}, "proceed"],
    ["no conditions", "HEAD", {}, "proceed"],
    ["no conditions, no representation", "PUT", {}, "proceed", null],
  ]);
});

Deno.test("evaluatePreconditions() step 1: If-Match uses the strong comparison (§13.1.1)", async (t) => {
  await table(t, [
    ["If-Match matching", "GET", { "if-match": '"abc"' }, "proceed"],
    ["If-Match in a list", "GET", { "if-match": '"x", "abc"' }, "proceed"],
    ["If-Match different", "GET", { "if-match": '"xyz"' }, "precondition-failed"],
    ["If-Match weak tag", "GET", { "if-match": 'W/"abc"' }, "precondition-failed"],
    ["If-Match *", "GET", { "if-match": "*" }, "proceed"],
    ["If-Match * without representation", "PUT", { "if-match": "*" }, "precondition-failed", null],
    ["If-Match malformed", "GET", { "if-match": "abc" }, "precondition-failed"],
  ]);
});

Deno.test("evaluatePreconditions() step 2: If-Unmodified-Since only without If-Match (§13.1.4)", async (t) => {
  await table(t, [
    ["If-Unmodified-Since equal", "GET", { "if-unmodified-since": AT }, "proceed"],
    ["If-Unmodified-Since later", "GET", { "if-unmodified-since": AFTER }, "proceed"],
    [
      "If-Unmodified-Since earlier",
      "GET",
      { "if-unmodified-since": BEFORE },
      "precondition-failed",
    ],
    ["If-Unmodified-Since invalid", "GET", { "if-unmodified-since": "yesterday" }, "proceed"],
    [
      "If-Unmodified-Since list of dates",
      "GET",
      { "if-unmodified-since": `${BEFORE}, ${BEFORE}` },
      "proceed",
    ],
    [
      "If-Match matching overrides an earlier If-Unmodified-Since",
      "GET",
      { "if-match": '"abc"', "if-unmodified-since": BEFORE },
      "proceed",
    ],
  ]);
});

Deno.test("evaluatePreconditions() step 3: If-None-Match uses the weak comparison (§13.1.2)", async (t) => {
  await table(t, [
    ["If-None-Match matching", "GET", { "if-none-match": '"abc"' }, "not-modified"],
    ["If-None-Match matching", "HEAD", { "if-none-match": '"abc"' }, "not-modified"],
    ["If-None-Match weak tag", "GET", { "if-none-match": 'W/"abc"' }, "not-modified"],
    ["If-None-Match in a list", "GET", { "if-none-match": '"x", W/"abc"' }, "not-modified"],
    ["If-None-Match different", "GET", { "if-none-match": '"xyz"' }, "proceed"],
    ["If-None-Match *", "GET", { "if-none-match": "*" }, "not-modified"],
    ["If-None-Match matching", "PUT", { "if-none-match": '"abc"' }, "precondition-failed"],
    ["If-None-Match * without representation", "PUT", { "if-none-match": "*" }, "proceed", null],
    [
      "If-None-Match * with a representation",
      "PUT",
      { "if-none-match": "*" },
      "precondition-failed",
    ],
  ]);
});

Deno.test("evaluatePreconditions() step 4: If-Modified-Since for GET and HEAD only (§13.1.3)", async (t) => {
  await table(t, [
    ["If-Modified-Since equal", "GET", { "if-modified-since": AT }, "not-modified"],
    ["If-Modified-Since later", "HEAD", { "if-modified-since": AFTER }, "not-modified"],
    ["If-Modified-Since earlier", "GET", { "if-modified-since": BEFORE }, "proceed"],
    ["If-Modified-Since invalid", "GET", { "if-modified-since": "2024-01-10" }, "proceed"],
    [
      "If-Modified-Since rfc850-date",
      "GET",
      { "if-modified-since": "Wednesday, 10-Jan-24 12:00:00 GMT" },
      "not-modified",
    ],
    [
      "If-Modified-Since asctime-date",
      "GET",
      { "if-modified-since": "Wed Jan 10 12:00:00 2024" },
      "not-modified",
    ],
    ["If-Modified-Since equal", "POST", { "if-modified-since": AT }, "proceed"],
    [
      "If-None-Match different makes If-Modified-Since ignored",
      "GET",
      { "if-none-match": '"xyz"', "if-modified-since": AFTER },
      "proceed",
    ],
  ]);
});

Deno.test("evaluatePreconditions() evaluates in the order of RFC 9110 §13.2.2", async (t) => {
  await table(t, [
    [
      "failing If-Match before matching If-None-Match",
      "GET",
      { "if-match": '"xyz"', "if-none-match": '"abc"' },
      "precondition-failed",
    ],
    [
      "failing If-Unmodified-Since before matching If-None-Match",
      "GET",
      { "if-unmodified-since": BEFORE, "if-none-match": '"abc"' },
      "precondition-failed",
    ],
    [
      "failing If-Unmodified-Since before If-Modified-Since",
      "GET",
      { "if-unmodified-since": BEFORE, "if-modified-since": AFTER },
      "precondition-failed",
    ],
    [
      "passing If-Match then matching If-None-Match",
      "GET",
      { "if-match": '"abc"', "if-none-match": '"abc"' },
      "not-modified",
    ],
  ]);
});

Deno.test("ifRangeAllows() needs a strong ETag match or the exact Last-Modified (§13.1.5)", async (t) => {
  const rows: [string | null, boolean][] = [
    [null, true],
    ['"abc"', true],
    [' "abc" ', true],
    ['W/"abc"', false],
    ['"xyz"', false],
    ['"abc", "xyz"', false],
    ["*", false],
    [AT, true],
    ["Wednesday, 10-Jan-24 12:00:00 GMT", true],
    [AFTER, false],
    [BEFORE, false],
    ["not a validator", false],
    ["", false],
  ];
  for (const [value, expected] of rows) {
    await t.step(`If-Range ${JSON.stringify(value)} → ${expected}`, () => {
      assertEquals(ifRangeAllows(value, CURRENT), expected);
    });
  }
});
