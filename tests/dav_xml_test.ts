import fc from "fast-check";
import { lockInfo, propfindRequest, proppatchChanges } from "../src/dav/dav_bodies.ts";
import { parseXml, XmlError, type XmlLimits } from "../src/dav/xml_reader.ts";
import {
  element,
  errorBody,
  escapeXml,
  MULTISTATUS_END,
  MULTISTATUS_START,
  multistatusStream,
  propResponse,
  serializeElement,
} from "../src/dav/xml_writer.ts";
import { assertEquals, assertMatch, assertOk, assertThrows } from "./helpers/assert.ts";

const LIMITS: XmlLimits = { maxBytes: 1024, maxDepth: 8, maxElements: 50 };

Deno.test("parseXml() reads elements with their namespaces, attributes and text", () => {
  const root = parseXml(
    '<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:x="urn:x">' +
      '<D:prop><x:color x:tone="dark" plain="1">red &amp; <![CDATA[<blue>]]></x:color><none/></D:prop></D:propfind>',
  );
  assertEquals([root.ns, root.local], ["DAV:", "propfind"]);
  const prop = root.children[0];
  assertOk(typeof prop !== "string");
  const [color, none] = prop.children;
  assertOk(typeof color !== "string" && typeof none !== "string");
  assertEquals([color.ns, color.local], ["urn:x", "color"]);
  assertEquals(color.attributes, [
    { ns: "urn:x", local: "tone", value: "dark" },
    { ns: "", local: "plain", value: "1" },
  ]);
  assertEquals(color.children.join(""), "red & <blue>");
  assertEquals([none.ns, none.local], ["", "none"]);
});

Deno.test("parseXml() refuses what could attack or is not XML, with a reason", async (t) => {
  const cases: [string, string, RegExp][] = [
    [
      "an external entity (XXE)",
      '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>',
      /DTD/,
    ],
    [
      "billion laughs",
      '<!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><l>&b;</l>',
      /DTD/,
    ],
    ["a bare DOCTYPE", "<!DOCTYPE d><d/>", /DTD/],
    ["an undefined entity", "<d>&nbsp;</d>", /Malformed XML/],
    ["an unclosed element", "<d><e></d>", /Malformed XML/],
    ["an undeclared prefix", "<x:d/>", /Malformed XML/],
    ["text only", "hello", /Malformed XML|no root/],
    ["two roots", "<a/><b/>", /Malformed XML/],
    ["nesting past the limit", "<a>".repeat(9) + "</a>".repeat(9), /nested too deeply/],
    ["too many elements", `<a>${"<b/>".repeat(50)}</a>`, /too many elements/],
  ];
  for (const [name, xml, reason] of cases) {
    await t.step(name, () => {
      let error: unknown;
      try {
        parseXml(xml, LIMITS);
      } catch (caught) {
        error = caught;
      }
      assertOk(error instanceof XmlError, `${name}: ${error}`);
      assertMatch(error.message, reason);
    });
  }
});

Deno.test("parseXml() accepts exactly the nesting limit", () => {
  assertEquals(parseXml("<a>".repeat(8) + "</a>".repeat(8), LIMITS).local, "a");
});

Deno.test("serializeElement() keeps a value that parses back to the same tree", () => {
  const xml =
    '<p:v xmlns:p="urn:p" xmlns:q="urn:q" q:a="1&quot;">t &lt; <q:i>x</q:i><n xmlns="">y</n></p:v>';
  const first = parseXml(xml);
  const again = parseXml(serializeElement(first));
  assertEquals(again, first);
});

Deno.test("serializeElement() round-trips any text and names (property)", () => {
  const name = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_.-]{0,10}$/);
  const text = fc.string({ maxLength: 40 }).filter((s) =>
    // Characters XML 1.0 cannot hold at all; \r is normalised by parsers.
    // deno-lint-ignore no-control-regex
    !/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\r]/.test(s) && !/[\ud800-\udfff]/.test(s)
  );
  fc.assert(fc.property(name, fc.webUrl(), text, (local, ns, value) => {
    const tree = { ns, local, attributes: [], children: value === "" ? [] : [value] };
    assertEquals(parseXml(serializeElement(tree)), tree);
  }));
});

Deno.test("escapeXml() escapes markup and quotes", () => {
  assertEquals(escapeXml(`<a href="x">&</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
});

Deno.test("element() writes DAV: names with D: and others with their own namespace", () => {
  assertEquals(element("DAV:", "getetag", "x"), "<D:getetag>x</D:getetag>");
  assertEquals(element("urn:x", "c"), '<c xmlns="urn:x"/>');
  assertEquals(element("", "plain", "1"), '<plain xmlns="">1</plain>');
});

Deno.test("propResponse() groups properties by status and leaves empty groups out", () => {
  const xml = propResponse("/a%20b", [{ status: 200, props: ["<D:x/>"] }, {
    status: 404,
    props: [],
  }]);
  assertEquals(
    xml,
    "<D:response><D:href>/a%20b</D:href><D:propstat><D:prop><D:x/></D:prop>" +
      "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>\n",
  );
});

Deno.test("errorBody() names the precondition and its hrefs", () => {
  assertMatch(
    errorBody("lock-token-submitted", ["/a"]),
    /<D:error xmlns:D="DAV:"><D:lock-token-submitted><D:href>\/a<\/D:href><\/D:lock-token-submitted><\/D:error>/,
  );
});

Deno.test("multistatusStream() pulls responses only as the reader asks, and returns the iterator on cancel", async () => {
  let produced = 0;
  let returned = false;
  function* responses() {
    try {
      while (true) {
        produced++;
        yield `<D:response>${"x".repeat(1000)}</D:response>\n`;
      }
    } finally {
      returned = true;
    }
  }
  const reader = multistatusStream(responses()).getReader();
  const first = await reader.read();
  assertOk(!first.done);
  assertMatch(new TextDecoder().decode(first.value), /^<\?xml[^]*<D:multistatus/);
  // One chunk of about 32 KiB, not the endless whole.
  assertOk(produced < 40, `produced ${produced}`);
  await reader.cancel();
  assertOk(returned);
});

Deno.test("multistatusStream() wraps a finite list in one multistatus document", async () => {
  const body = await new Response(multistatusStream(["<a/>", "<b/>"].values())).text();
  assertEquals(body, MULTISTATUS_START + "<a/><b/>" + MULTISTATUS_END);
  parseXml(body.replace("<a/><b/>", ""));
});

Deno.test("propfindRequest() reads allprop, propname, prop and an empty body", async (t) => {
  const body = (inner: string) =>
    parseXml(`<D:propfind xmlns:D="DAV:" xmlns:x="urn:x">${inner}</D:propfind>`);
  await t.step("no body → allprop", () => {
    assertEquals(propfindRequest(null), { kind: "allprop", include: [] });
  });
  await t.step("allprop with include", () => {
    assertEquals(
      propfindRequest(body("<D:allprop/><D:include><D:quota-used-bytes/></D:include>")),
      { kind: "allprop", include: ["{DAV:}quota-used-bytes"] },
    );
  });
  await t.step("propname", () => {
    assertEquals(propfindRequest(body("<D:propname/>")), { kind: "propname" });
  });
  await t.step("prop with names in two namespaces", () => {
    assertEquals(propfindRequest(body("<D:prop><D:getetag/><x:c/></D:prop>")), {
      kind: "prop",
      names: ["{DAV:}getetag", "{urn:x}c"],
    });
  });
  await t.step("none of them, or two → refused", () => {
    assertThrows(() => propfindRequest(body("")), SyntaxError);
    assertThrows(() => propfindRequest(body("<D:allprop/><D:propname/>")), SyntaxError);
    assertThrows(() => propfindRequest(parseXml('<D:lockinfo xmlns:D="DAV:"/>')), SyntaxError);
  });
});

Deno.test("proppatchChanges() keeps document order and whole values", () => {
  const root = parseXml(
    '<D:propertyupdate xmlns:D="DAV:" xmlns:x="urn:x"><D:set><D:prop><x:a>1<x:b/></x:a></D:prop></D:set>' +
      "<D:remove><D:prop><x:a/></D:prop></D:remove></D:propertyupdate>",
  );
  assertEquals(proppatchChanges(root), [
    { op: "set", name: "{urn:x}a", xml: '<a xmlns="urn:x">1<b xmlns="urn:x"/></a>' },
    { op: "remove", name: "{urn:x}a" },
  ]);
  assertThrows(() => proppatchChanges(null), SyntaxError);
  assertThrows(() => proppatchChanges(parseXml('<D:propertyupdate xmlns:D="DAV:"/>')), SyntaxError);
});

Deno.test("lockInfo() reads scope and owner, and insists on a write lock", () => {
  const info = lockInfo(parseXml(
    '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:shared/></D:lockscope>' +
      "<D:locktype><D:write/></D:locktype><D:owner><D:href>mailto:a@b</D:href></D:owner></D:lockinfo>",
  ));
  assertEquals(info, { scope: "shared", owner: '<href xmlns="DAV:">mailto:a@b</href>' });
  assertThrows(
    () =>
      lockInfo(
        parseXml(
          '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope></D:lockinfo>',
        ),
      ),
    SyntaxError,
  );
});
