import fc from "fast-check";
import {
  evaluateIf,
  type IfList,
  ifResources,
  parseIf,
  type ResourceState,
  submittedTokens,
} from "../src/dav/if_header.ts";
import { assertEquals, assertThrows } from "./helpers/assert.ts";

const token = (value: string, not = false) => ({ not, kind: "token" as const, value });
const etag = (value: string, not = false) => ({ not, kind: "etag" as const, value });

Deno.test("parseIf() reads the RFC 4918 §10.4 grammar", async (t) => {
  const cases: [string, string, IfList[]][] = [
    ["one token", "(<urn:uuid:1>)", [{ resource: null, conditions: [token("urn:uuid:1")] }]],
    [
      "token and ETag in one list",
      '(<urn:uuid:1> ["e1"])',
      [{ resource: null, conditions: [token("urn:uuid:1"), etag('"e1"')] }],
    ],
    [
      "two lists, the second negated (§10.4.7 style)",
      "(<urn:uuid:1>) (Not <DAV:no-lock>)",
      [
        { resource: null, conditions: [token("urn:uuid:1")] },
        { resource: null, conditions: [token("DAV:no-lock", true)] },
      ],
    ],
    [
      "tagged lists for two resources",
      '<http://h/a> (<urn:uuid:1>) ([W/"w"]) <http://h/b> (Not ["x"])',
      [
        { resource: "http://h/a", conditions: [token("urn:uuid:1")] },
        { resource: "http://h/a", conditions: [etag('W/"w"')] },
        { resource: "http://h/b", conditions: [etag('"x"', true)] },
      ],
    ],
    [
      "extra whitespace and tabs",
      ' \t( <urn:a>\t["e"] )  ',
      [{ resource: null, conditions: [token("urn:a"), etag('"e"')] }],
    ],
  ];
  for (const [name, header, expected] of cases) {
    await t.step(name, () => assertEquals(parseIf(header), expected));
  }
});

Deno.test("parseIf() refuses malformed headers with a reason", async (t) => {
  const cases: [string, RegExp][] = [
    ["", /Empty If header/],
    ["()", /Empty list/],
    ["(<urn:a>", /Unterminated/],
    ["<urn:a", /Unterminated resource tag/],
    ["(<urn:a>) <http://h/> (<urn:b>)", /mixes tagged and untagged/],
    ["<http://h/>", /without a list/],
    ["(urn:a)", /Invalid condition/],
    ['(["unquoted])', /Unterminated entity tag|Invalid entity tag/],
    ["([nope])", /Invalid entity tag/],
    ["(< >)", /Invalid state token/],
    ["urn:a", /Unexpected/],
  ];
  for (const [header, reason] of cases) {
    await t.step(JSON.stringify(header), () => {
      let message = "";
      try {
        parseIf(header);
      } catch (error) {
        message = error instanceof SyntaxError ? error.message : String(error);
      }
      assertEquals(reason.test(message), true, `${header}: ${message}`);
    });
  }
});

Deno.test("evaluateIf() is true when any list holds, each list needing all its conditions", async (t) => {
  const locked: ResourceState = { etag: '"e1"', tokens: ["urn:uuid:1"] };
  const state = () => locked;
  const cases: [string, string, boolean][] = [
    ["the lock's token", "(<urn:uuid:1>)", true],
    ["another token", "(<urn:uuid:2>)", false],
    ["token and the ETag", '(<urn:uuid:1> ["e1"])', true],
    ["token and a stale ETag", '(<urn:uuid:1> ["old"])', false],
    ["a weak form of the ETag (weak comparison)", '([W/"e1"])', true],
    ["no-lock, which never matches", "(<DAV:no-lock>)", false],
    ["Not no-lock, which always holds", "(Not <DAV:no-lock>)", true],
    ["a corrupt token, or Not no-lock", "(<urn:uuid:1x>) (Not <DAV:no-lock>)", true],
    ["Not the ETag", '(Not ["e1"])', false],
  ];
  for (const [name, header, expected] of cases) {
    await t.step(
      `${name} → ${expected}`,
      () => assertEquals(evaluateIf(parseIf(header), state), expected),
    );
  }
  await t.step("a missing resource matches no ETag", () => {
    assertEquals(evaluateIf(parseIf('(["e1"])'), () => ({ etag: null, tokens: [] })), false);
  });
  await t.step("tagged lists are evaluated against their own resource", () => {
    const states: Record<string, ResourceState> = {
      "/a": locked,
      "/b": { etag: '"b"', tokens: [] },
    };
    const lists = parseIf("</b> (<urn:uuid:1>) </a> (<urn:uuid:1>)");
    assertEquals(ifResources(lists), ["/b", "/a"]);
    assertEquals(evaluateIf(lists, (resource) => states[resource!]), true);
    assertEquals(
      evaluateIf(parseIf("</b> (<urn:uuid:1>)"), (resource) => states[resource!]),
      false,
    );
  });
});

Deno.test("submittedTokens() collects tokens named without Not", () => {
  const lists = parseIf('</a> (<urn:1> ["e"]) (Not <urn:2>) </b> (<urn:3>)');
  assertEquals([...submittedTokens(lists)], ["urn:1", "urn:3"]);
});

Deno.test("parseIf() reads back what a list printer writes (property)", () => {
  const tokenValue = fc.stringMatching(/^[a-z][a-z0-9:.-]{0,15}$/);
  const etagValue = fc.stringMatching(/^(W\/)?"[a-z0-9-]{0,8}"$/);
  const condition = fc.oneof(
    fc.record({ not: fc.boolean(), kind: fc.constant("token" as const), value: tokenValue }),
    fc.record({ not: fc.boolean(), kind: fc.constant("etag" as const), value: etagValue }),
  );
  const lists = fc.array(fc.array(condition, { minLength: 1, maxLength: 4 }), {
    minLength: 1,
    maxLength: 4,
  });
  fc.assert(fc.property(lists, fc.boolean(), (conditionLists, tagged) => {
    const printed = conditionLists.map((conditions) =>
      (tagged ? "<http://h/r> " : "") + "(" +
      conditions.map((c) =>
        (c.not ? "Not " : "") + (c.kind === "token" ? `<${c.value}>` : `[${c.value}]`)
      )
        .join(" ") +
      ")"
    ).join(" ");
    const parsed = parseIf(printed);
    // fast-check's records have no prototype: compare plain copies.
    assertEquals(
      parsed.map((list) => list.conditions),
      conditionLists.map((l) => l.map((c) => ({ ...c }))),
    );
    assertEquals(parsed.every((list) => list.resource === (tagged ? "http://h/r" : null)), true);
  }));
});

Deno.test("evaluateIf() negation flips a single-condition list (property)", () => {
  fc.assert(fc.property(fc.boolean(), fc.boolean(), (has, not) => {
    const state: ResourceState = { etag: null, tokens: has ? ["urn:t"] : [] };
    const header = `(${not ? "Not " : ""}<urn:t>)`;
    assertEquals(evaluateIf(parseIf(header), () => state), has !== not);
  }));
});

Deno.test("parseIf() never throws anything but SyntaxError (property)", () => {
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (header) => {
    try {
      parseIf(header);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
    }
  }));
  assertThrows(() => parseIf("(<a> <b"), SyntaxError);
});
